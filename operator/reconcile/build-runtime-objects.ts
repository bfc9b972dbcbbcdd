import { createHash } from 'node:crypto';
import type { V1ConfigMap, V1Deployment, V1Secret, V1Service } from '@kubernetes/client-node';
import {
  memorySchemaOf,
  orgSecretKeys,
  orgSecretName,
  runtimeName,
  runtimePort,
} from '../../crds/org-runtime-names.ts';
import type { AgentDocument } from '../../runtime/config/agent-schema.ts';
import { renderAgentYaml } from '../../runtime/config/render-agent-yaml.ts';
import type { OrgRuntimeSettings } from '../config/org-runtime-settings.ts';
import { orgObjectLabels, runtimePodLabels } from './org-labels.ts';

export const agentsConfigMapName = 'astromesh-agents';
/** On the runtime's pod template: a change of agents or keys changes it, and so rolls the pods. */
export const configHashAnnotation = 'astromesh.io/config-hash';

export interface OrgRuntimeInput {
  namespace: string;
  orgSlug: string;
  /** What the runtime serves: accepted, unpaused agents that are not being deleted. */
  servedAgents: AgentDocument[];
  /** A digest of the org Secret's data; undefined while it is missing (the runtime cannot start). */
  secretDigest: string | undefined;
  /** The image pull Secrets of the operator's namespace that exist (see `imagePullSecrets`). */
  pullSecrets: V1Secret[];
  settings: OrgRuntimeSettings;
  /** The API put the idle org to sleep (org Secret annotation): no replica until it wakes it. */
  isSleeping?: boolean;
}

const mounts = {
  agents: '/etc/astromesh/agents',
  secret: '/etc/astromesh/secret',
  // The root filesystem is read-only: what astromeshd keeps on disk (sqlite memory, the embedded
  // vector store) goes to an emptyDir of its own, which lives and dies with the pod.
  data: '/var/lib/astromesh',
  tmp: '/tmp',
};

/**
 * The org's runtime: its agents as a ConfigMap, a Deployment of astromeshd that mounts them and
 * the org Secret, and a Service in front. The Deployment has no replica while the org serves no
 * agent (or has no Secret yet): an idle org costs nothing.
 */
export function buildRuntimeObjects(input: OrgRuntimeInput): [V1ConfigMap, V1Service, V1Deployment] {
  const configMap = agentsConfigMap(input);
  const configHash = createHash('sha256')
    .update(JSON.stringify([configMap.data, input.secretDigest ?? null]))
    .digest('hex')
    .slice(0, 32);
  return [configMap, runtimeService(input), runtimeDeployment(input, configHash)];
}

/**
 * Copies of the image pull Secrets into the org namespace: a pod can only use a pull Secret of its
 * own namespace. Only the registry credentials travel, never anything else of the source.
 */
export function buildPullSecretCopies(
  input: Pick<OrgRuntimeInput, 'namespace' | 'orgSlug' | 'pullSecrets'>,
): V1Secret[] {
  return input.pullSecrets.map((source) => ({
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: { name: source.metadata?.name, namespace: input.namespace, labels: orgObjectLabels(input.orgSlug) },
    type: source.type,
    data: source.data,
  }));
}

/** One agent's key and file in the agents ConfigMap: `{org}__{agent}.yaml`. */
export function agentsConfigEntry(agent: AgentDocument): [fileName: string, yaml: string] {
  return [`${agent.metadata.name}.yaml`, renderAgentYaml(agent)];
}

function agentsConfigMap({ namespace, orgSlug, servedAgents }: OrgRuntimeInput): V1ConfigMap {
  // Sorted: the same agents always give the same data.
  const data = Object.fromEntries(
    [...servedAgents].sort((a, b) => a.metadata.name.localeCompare(b.metadata.name)).map(agentsConfigEntry),
  );
  return {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: { name: agentsConfigMapName, namespace, labels: orgObjectLabels(orgSlug) },
    data,
  };
}

function runtimeService({ namespace, orgSlug }: OrgRuntimeInput): V1Service {
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name: runtimeName, namespace, labels: orgObjectLabels(orgSlug) },
    spec: {
      type: 'ClusterIP',
      selector: runtimePodLabels(orgSlug),
      ports: [{ name: 'http', protocol: 'TCP', port: runtimePort, targetPort: 'http' }],
    },
  };
}

function runtimeDeployment(input: OrgRuntimeInput, configHash: string): V1Deployment {
  const { namespace, orgSlug, settings } = input;
  // Sleeping changes the replicas only, never the pod template: waking scales up, it rolls nothing.
  const serving = input.servedAgents.length > 0 && input.secretDigest !== undefined && !input.isSleeping;
  const probe = { httpGet: { path: '/v1/health', port: 'http' } };
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: runtimeName, namespace, labels: orgObjectLabels(orgSlug) },
    spec: {
      replicas: serving ? settings.replicas : 0,
      selector: { matchLabels: runtimePodLabels(orgSlug) },
      // A new config starts beside the old one: the org keeps an answering runtime during a deploy.
      strategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 0, maxSurge: 1 } },
      revisionHistoryLimit: 3,
      template: {
        metadata: {
          labels: { ...orgObjectLabels(orgSlug), ...runtimePodLabels(orgSlug) },
          annotations: { [configHashAnnotation]: configHash },
        },
        spec: {
          serviceAccountName: runtimeName,
          automountServiceAccountToken: false,
          enableServiceLinks: false,
          ...(input.pullSecrets.length > 0
            ? { imagePullSecrets: input.pullSecrets.map((secret) => ({ name: secret.metadata?.name })) }
            : {}),
          ...(settings.runtimeClassName ? { runtimeClassName: settings.runtimeClassName } : {}),
          securityContext: {
            runAsNonRoot: true,
            runAsUser: 10001,
            runAsGroup: 10001,
            fsGroup: 10001,
            seccompProfile: { type: 'RuntimeDefault' },
          },
          // Covers astromeshd's whole drain (no preStop hook): runs get --shutdown-timeout=30, and
          // idle keep-alive connections linger (default 5 s) within those 30 s, not after them.
          terminationGracePeriodSeconds: 40,
          containers: [
            {
              name: 'astromeshd',
              image: settings.image,
              imagePullPolicy: settings.imagePullPolicy,
              args: [
                `--agents-dir=${mounts.agents}`,
                `--credentials=${mounts.secret}/${orgSecretKeys.credentials}`,
                `--auth-token-file=${mounts.secret}/${orgSecretKeys.runtimeToken}`,
                `--memory-schema=${memorySchemaOf(orgSlug)}`,
                `--data-dir=${mounts.data}`,
                // The pod's own address: the only one the API (through the Service) connects to.
                '--host=$(POD_IP)',
                `--port=${runtimePort}`,
                '--shutdown-timeout=30',
                // A shared platform runs no org's programs: MCP servers over Streamable HTTP only.
                '--disable-mcp-stdio',
              ],
              env: [
                { name: 'POD_IP', valueFrom: { fieldRef: { fieldPath: 'status.podIP' } } },
                {
                  name: 'ASTROMESH_MEMORY_URL',
                  valueFrom: {
                    secretKeyRef: { name: orgSecretName, key: orgSecretKeys.memoryUrl, optional: true },
                  },
                },
              ],
              ports: [{ name: 'http', containerPort: runtimePort, protocol: 'TCP' }],
              readinessProbe: { ...probe, periodSeconds: 2, failureThreshold: 2 },
              livenessProbe: { ...probe, periodSeconds: 10, failureThreshold: 6 },
              resources: settings.resources,
              securityContext: {
                allowPrivilegeEscalation: false,
                readOnlyRootFilesystem: true,
                runAsNonRoot: true,
                capabilities: { drop: ['ALL'] },
              },
              volumeMounts: [
                { name: 'agents', mountPath: mounts.agents, readOnly: true },
                { name: 'org-secret', mountPath: mounts.secret, readOnly: true },
                { name: 'data', mountPath: mounts.data },
                { name: 'tmp', mountPath: mounts.tmp },
              ],
            },
          ],
          volumes: [
            { name: 'agents', configMap: { name: agentsConfigMapName } },
            {
              name: 'org-secret',
              secret: {
                secretName: orgSecretName,
                defaultMode: 0o440,
                items: [
                  { key: orgSecretKeys.credentials, path: orgSecretKeys.credentials },
                  { key: orgSecretKeys.runtimeToken, path: orgSecretKeys.runtimeToken },
                ],
              },
            },
            { name: 'data', emptyDir: { sizeLimit: settings.dataSizeLimit } },
            { name: 'tmp', emptyDir: { sizeLimit: '64Mi' } },
          ],
        },
      },
    },
  };
}
