import type { KubernetesObject, V1ConfigMap, V1Deployment, V1Namespace, V1Secret } from '@kubernetes/client-node';
import type { Logger } from 'pino';
import { runtimeFinalizer } from '../../crds/cloud-agent.ts';
import { orgLabel, orgSleepAnnotations } from '../../crds/org-runtime-names.ts';
import type { AgentDocument } from '../../runtime/config/agent-schema.ts';
import type { OrgRuntimeSettings } from '../config/org-runtime-settings.ts';
import type { KubeClient } from '../kube/kube-client.ts';
import { isNotFound } from '../kube/kube-client.ts';
import { pathOf } from '../kube/object-path.ts';
import { acceptCloudAgent, secretDigestOf, secretStateOf } from './accept-cloud-agent.ts';
import { buildNamespaceBundle } from './build-namespace-bundle.ts';
import { buildPullSecretCopies, buildRuntimeObjects, configHashAnnotation } from './build-runtime-objects.ts';
import {
  type Acceptance,
  type CloudAgent,
  desiredStatus,
  type Rollout,
  rolloutOf,
  type SecretState,
  sameStatus,
} from './cloud-agent-status.ts';
import { fitAgentsConfig } from './fit-agents-config.ts';
import { operatorFieldManager } from './org-labels.ts';
import type { RecordEvent } from './record-event.ts';

/** What the reconciler reads: the informers' caches, never the API server directly. */
export interface OrgView {
  /** The namespace if it is an org namespace (labelled `astromesh.io/org`). */
  orgNamespace(namespace: string): V1Namespace | undefined;
  cloudAgents(namespace: string): CloudAgent[];
  orgSecret(namespace: string): V1Secret | undefined;
  /** The image pull Secrets named in the settings that exist in the operator's namespace. */
  pullSecrets(): V1Secret[];
}

export interface OrgReconcilerDeps {
  kube: KubeClient;
  view: OrgView;
  settings: OrgRuntimeSettings;
  recordEvent: RecordEvent;
  now: () => Date;
  log: Logger;
}

export interface ReconcileResult {
  /** Look again after this long even if nothing changes (a rollout that sends no event). */
  requeueAfterMs?: number;
}

const rolloutRecheckMs = 30_000;

/**
 * Level-triggered reconcile of one org namespace: from its CloudAgents and its Secret, applies
 * the hardening bundle and the runtime, then writes every CloudAgent's status. Whatever event
 * led here, the whole namespace is brought to what its inputs say, so a missed or merged event
 * costs nothing.
 */
export function createOrgReconciler(deps: OrgReconcilerDeps) {
  const { kube, view } = deps;
  const apply = <T extends KubernetesObject>(object: T) =>
    kube.apply<T>({ path: pathOf(object), object, fieldManager: operatorFieldManager });

  /**
   * The agents ConfigMap holds exactly the served agents: server-side apply leaves keys another
   * manager added (an agent slipped in by hand), so those are removed with an update.
   */
  async function applyAgentsConfig(configMap: V1ConfigMap): Promise<void> {
    const live = await apply(configMap);
    const extra = Object.keys(live.data ?? {}).filter((key) => !(key in (configMap.data ?? {})));
    if (extra.length === 0) return;
    deps.log.warn({ namespace: configMap.metadata?.namespace, extra }, 'removing agents added to the config by hand');
    await kube.call({
      method: 'PUT',
      path: pathOf(configMap),
      body: { ...live, data: configMap.data, metadata: { ...live.metadata, managedFields: undefined } },
    });
  }

  /**
   * Adds the finalizer to a CloudAgent written without it (by hand: the Cloud API's come with it).
   * Server-side apply owns just our entry of the finalizer set: others' finalizers are left alone.
   */
  async function addFinalizer(agent: CloudAgent): Promise<void> {
    if (agent.metadata?.finalizers?.includes(runtimeFinalizer)) return;
    const object = {
      apiVersion: agent.apiVersion,
      kind: agent.kind,
      metadata: { name: agent.metadata?.name, namespace: agent.metadata?.namespace, finalizers: [runtimeFinalizer] },
    };
    await kube
      .apply({ path: pathOf(agent), object, fieldManager: `${operatorFieldManager}-finalizer` })
      .catch((err: unknown) => {
        if (!isNotFound(err)) throw err;
      });
  }

  /**
   * Removes the finalizer whoever owns its entry (the Cloud API's apply does, for the CloudAgents
   * it creates): a JSON patch whose `test` pins it at the index the cache shows, so a list changed
   * since fails (422) and the retry reads it again. An agent already gone answers 404, which is
   * what removing wanted; an apply would have tried to create it.
   */
  async function removeFinalizer(agent: CloudAgent): Promise<void> {
    const index = agent.metadata?.finalizers?.indexOf(runtimeFinalizer) ?? -1;
    if (index < 0) return;
    const path = `/metadata/finalizers/${index}`;
    await kube
      .jsonPatch(pathOf(agent), [
        { op: 'test', path, value: runtimeFinalizer },
        { op: 'remove', path },
      ])
      .catch((err: unknown) => {
        if (!isNotFound(err)) throw err;
      });
  }

  async function writeStatus(input: {
    agent: CloudAgent;
    acceptance: Acceptance;
    secret: SecretState;
    rollout: Rollout;
    isSleeping?: boolean;
  }): Promise<void> {
    const { agent } = input;
    const status = desiredStatus({ ...input, now: deps.now() });
    if (sameStatus(agent.status, status)) return;
    try {
      await kube.mergePatch(pathOf(agent, 'status'), { status });
    } catch (err) {
      if (isNotFound(err)) return;
      throw err;
    }
    if (agent.status?.phase !== status.phase) {
      const ready = status.conditions?.find((condition) => condition.type === 'Ready');
      const failed = status.phase === 'Failed' || status.phase === 'Pending';
      await deps.recordEvent({
        agent,
        type: failed ? 'Warning' : 'Normal',
        reason: status.phase === 'Failed' ? (ready?.reason ?? 'Failed') : (status.phase ?? 'Unknown'),
        message:
          status.phase === 'Failed'
            ? (status.conditions?.find((condition) => condition.type === 'Accepted')?.message ?? 'invalid')
            : (ready?.message ?? ''),
      });
    }
  }

  return async function reconcileOrg(namespace: string): Promise<ReconcileResult> {
    const log = deps.log.child({ namespace });
    const agents = view.cloudAgents(namespace);
    const orgNamespace = view.orgNamespace(namespace);
    const orgSlug = orgNamespace?.metadata?.labels?.[orgLabel];

    if (!orgNamespace || !orgSlug || orgNamespace.metadata?.deletionTimestamp) {
      // Not an org namespace, or one going away: nothing runs here, so nothing to take out.
      for (const agent of agents) {
        await removeFinalizer(agent);
        if (orgNamespace?.metadata?.deletionTimestamp || agent.metadata?.deletionTimestamp) continue;
        await writeStatus({
          agent,
          acceptance: acceptCloudAgent(agent, undefined),
          secret: { ready: false, reason: 'SecretMissing', message: 'not an org namespace' },
          rollout: { done: false, message: 'not an org namespace' },
        });
      }
      return {};
    }

    const live = agents.filter((agent) => !agent.metadata?.deletionTimestamp);
    const leaving = agents.filter((agent) => agent.metadata?.deletionTimestamp);

    const accepted = fitAgentsConfig(live.map((agent) => ({ agent, acceptance: acceptCloudAgent(agent, orgSlug) })));
    const servedAgents: AgentDocument[] = accepted.flatMap(({ acceptance }) =>
      acceptance.accepted && !acceptance.spec.paused ? [acceptance.spec.agent] : [],
    );
    const secret = view.orgSecret(namespace);
    const secretState = secretStateOf(secret, namespace);
    const isSleeping = secret?.metadata?.annotations?.[orgSleepAnnotations.sleeping] === 'true';
    const settings = deps.settings;
    const bundle = buildNamespaceBundle({ namespace, orgSlug, settings });
    const pullSecrets = view.pullSecrets();
    const [configMap, service, deployment] = buildRuntimeObjects({
      namespace,
      orgSlug,
      servedAgents,
      secretDigest: secretState.ready ? secretDigestOf(secret) : undefined,
      pullSecrets,
      settings,
      isSleeping,
    });
    // The bundle first: no runtime pod may start in a namespace that is not fenced yet. The
    // finalizers meanwhile (only for CloudAgents written by hand; the Cloud API's come with it):
    // they must be on before the config below serves the agents. Every
    // agent's writes go out at once: an org's reconcile waits for round trips, not for CPU.
    await Promise.all([...bundle.map(apply), ...live.map(addFinalizer)]);
    await Promise.all([
      applyAgentsConfig(configMap),
      apply(service),
      ...buildPullSecretCopies({ namespace, orgSlug, pullSecrets }).map(apply),
    ]);
    const liveDeployment = await apply(deployment);

    // Taken out of the config just applied: their finalizers may go.
    await Promise.all(leaving.map(removeFinalizer));

    const configHash = deployment.spec?.template?.metadata?.annotations?.[configHashAnnotation] ?? '';
    const rollout = rolloutOf(liveDeployment as V1Deployment, configHash);
    // The agents the rollout serves first, the paused and refused ones after: the Cloud API's deploy
    // waits until every agent shows its state at the applied generation, and an unchanged agent's
    // old Ready counts as such. Were a paused agent's Paused to land first, the deploy could answer
    // before the others show Deploying for the config that took it out.
    const servesRollout = ({ acceptance }: (typeof accepted)[number]) => acceptance.accepted && !acceptance.spec.paused;
    const writeStatusOf = ({ agent, acceptance }: (typeof accepted)[number]) =>
      writeStatus({ agent, acceptance, secret: secretState, rollout, isSleeping });
    await Promise.all(accepted.filter(servesRollout).map(writeStatusOf));
    await Promise.all(accepted.filter((entry) => !servesRollout(entry)).map(writeStatusOf));
    const waiting =
      !isSleeping && accepted.some(({ acceptance }) => acceptance.accepted && !acceptance.spec.paused && !rollout.done);
    log.debug({ agents: live.length, served: servedAgents.length, rollout, isSleeping }, 'org reconciled');
    return waiting ? { requeueAfterMs: rolloutRecheckMs } : {};
  };
}
export type ReconcileOrg = ReturnType<typeof createOrgReconciler>;
