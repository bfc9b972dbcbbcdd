import type { KubernetesObject, V1Deployment } from '@kubernetes/client-node';
import {
  agentIdOf,
  type CloudAgentPhase,
  type CloudAgentSpec,
  type CloudAgentStatus,
  type Condition,
} from '../../crds/cloud-agent.ts';
import { configHashAnnotation } from './build-runtime-objects.ts';

/** A CloudAgent as the API server returns it; `spec` is only trusted once `acceptCloudAgent` says so. */
export interface CloudAgent extends KubernetesObject {
  spec?: unknown;
  status?: CloudAgentStatus;
}

/** Why a CloudAgent's spec is or is not something the runtime can serve. */
export type Acceptance =
  | { accepted: true; spec: CloudAgentSpec }
  | { accepted: false; reason: string; message: string };

/** Whether the org Secret is there with what the runtime needs. */
export type SecretState =
  | { ready: true }
  | { ready: false; reason: 'SecretMissing' | 'SecretIncomplete'; message: string };

/** Whether the runtime Deployment runs the current config on every replica, ready. */
export type Rollout = { done: true } | { done: false; message: string };

/**
 * The rollout of the runtime Deployment as `kubectl rollout status` judges it, against the config
 * the operator just applied: the controller saw the newest spec, every replica runs the current
 * pod template (whose config hash names these agents and keys), none of the old ones remain, and
 * all are available. Only then does the runtime serve the agent's current config.
 */
export function rolloutOf(deployment: V1Deployment | undefined, configHash: string): Rollout {
  if (!deployment) return { done: false, message: 'the runtime Deployment does not exist yet' };
  const wanted = deployment.spec?.replicas ?? 1;
  const status = deployment.status ?? {};
  if ((status.observedGeneration ?? 0) < (deployment.metadata?.generation ?? 0)) {
    return { done: false, message: 'waiting for the Deployment controller to see the new runtime config' };
  }
  if (deployment.spec?.template?.metadata?.annotations?.[configHashAnnotation] !== configHash) {
    return { done: false, message: 'the runtime Deployment does not carry the current config yet' };
  }
  if (wanted === 0) return { done: false, message: 'the runtime is scaled to zero' };
  const updated = status.updatedReplicas ?? 0;
  const available = status.availableReplicas ?? 0;
  const total = status.replicas ?? 0;
  if (updated < wanted) return { done: false, message: `${updated} of ${wanted} runtime pods run the new config` };
  if (total > updated) return { done: false, message: `${total - updated} runtime pods with an old config still run` };
  if (available < wanted) return { done: false, message: `${available} of ${wanted} runtime pods are ready` };
  return { done: true };
}

interface ConditionInput {
  type: 'Accepted' | 'ProviderKeysReady' | 'Ready';
  status: 'True' | 'False' | 'Unknown';
  reason: string;
  message: string;
}

/**
 * The status a CloudAgent should have. Pure: the reconciler compares it with the current status
 * and writes only a difference, keeping `lastTransitionTime` of conditions that did not change.
 */
export function desiredStatus(input: {
  agent: CloudAgent;
  acceptance: Acceptance;
  secret: SecretState;
  rollout: Rollout;
  /** The API put the idle org to sleep: its runtime is scaled to zero until the next call. */
  isSleeping?: boolean;
  now: Date;
}): CloudAgentStatus {
  const { agent, acceptance, secret, rollout } = input;
  const generation = agent.metadata?.generation ?? 0;
  const current = agent.status ?? {};
  const conditions: ConditionInput[] = [];
  let phase: CloudAgentPhase;

  if (!acceptance.accepted) {
    phase = 'Failed';
    conditions.push(
      { type: 'Accepted', status: 'False', reason: acceptance.reason, message: acceptance.message },
      // Ready says what to fix too: it is the condition clients read (`kubectl wait`, the Cloud
      // API's deployment_failed answer), and "fix the spec" alone does not say which field.
      { type: 'Ready', status: 'False', reason: acceptance.reason, message: acceptance.message },
    );
  } else {
    conditions.push({ type: 'Accepted', status: 'True', reason: 'Valid', message: 'the runtime can serve this spec' });
    conditions.push(
      secret.ready
        ? { type: 'ProviderKeysReady', status: 'True', reason: 'SecretPresent', message: 'the org Secret is present' }
        : { type: 'ProviderKeysReady', status: 'False', reason: secret.reason, message: secret.message },
    );
    if (acceptance.spec.paused) {
      phase = 'Paused';
      conditions.push({ type: 'Ready', status: 'False', reason: 'Paused', message: 'the agent is paused' });
    } else if (!secret.ready) {
      phase = 'Pending';
      conditions.push({ type: 'Ready', status: 'False', reason: 'WaitingForSecret', message: secret.message });
    } else if (input.isSleeping) {
      // Still Ready: a call is answered (it wakes the org and waits), only later than usual.
      phase = 'Ready';
      conditions.push({
        type: 'Ready',
        status: 'True',
        reason: 'Sleeping',
        message: "the org's runtime is scaled to zero while idle; the next run, test or stream wakes it",
      });
    } else if (!rollout.done) {
      phase = 'Deploying';
      conditions.push({ type: 'Ready', status: 'False', reason: 'RollingOut', message: rollout.message });
    } else {
      phase = 'Ready';
      conditions.push({
        type: 'Ready',
        status: 'True',
        reason: 'Serving',
        message: "the org's runtime serves this agent's current config",
      });
    }
  }

  const spec = acceptance.accepted ? acceptance.spec : undefined;
  const at = input.now.toISOString();
  return {
    phase,
    ...(spec ? { agentId: agentIdOf(spec.orgSlug, spec.agentName) } : {}),
    observedGeneration: generation,
    conditions: conditions.map((condition) => withTransitionTime(condition, current.conditions, generation, at)),
    // When the agent last became Ready / Paused; kept while it stays so.
    ...(phase === 'Ready'
      ? { deployedAt: current.phase === 'Ready' && current.deployedAt ? current.deployedAt : at }
      : current.deployedAt
        ? { deployedAt: current.deployedAt }
        : {}),
    ...(phase === 'Paused' ? { pausedAt: current.phase === 'Paused' && current.pausedAt ? current.pausedAt : at } : {}),
  };
}

function withTransitionTime(
  condition: ConditionInput,
  current: Condition[] | undefined,
  generation: number,
  now: string,
): Condition {
  const previous = current?.find((c) => c.type === condition.type);
  const lastTransitionTime = previous && previous.status === condition.status ? previous.lastTransitionTime : now;
  return {
    ...condition,
    message: condition.message.slice(0, 32_768),
    observedGeneration: generation,
    lastTransitionTime,
  };
}

/** Whether two statuses say the same (the order of conditions aside). */
export function sameStatus(a: CloudAgentStatus | undefined, b: CloudAgentStatus): boolean {
  const sorted = (status: CloudAgentStatus | undefined) => ({
    ...status,
    conditions: [...(status?.conditions ?? [])].sort((x, y) => x.type.localeCompare(y.type)),
  });
  return JSON.stringify(canonical(sorted(a))) === JSON.stringify(canonical(sorted(b)));
}

function canonical(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(canonical);
  if (value && typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value)
        .filter(([, v]) => v !== undefined)
        .sort(([x], [y]) => x.localeCompare(y))
        .map(([k, v]) => [k, canonical(v)]),
    );
  }
  return value;
}
