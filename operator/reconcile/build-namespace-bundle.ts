import type {
  KubernetesObject,
  V1Namespace,
  V1NetworkPolicyEgressRule,
  V1NetworkPolicyPeer,
  V1ResourceQuota,
  V1ServiceAccount,
} from '@kubernetes/client-node';
import { runtimeName, runtimePort } from '../../crds/org-runtime-names.ts';
import type { EgressAllowance, OrgRuntimeSettings } from '../config/org-runtime-settings.ts';
import { orgObjectLabels } from './org-labels.ts';

export interface OrgNamespaceInput {
  namespace: string;
  orgSlug: string;
  settings: OrgRuntimeSettings;
}

/**
 * The hardening every org namespace gets before anything runs in it (DESIGN.md decision 3):
 * Pod Security `restricted`, a default-deny NetworkPolicy that admits only the Cloud API,
 * a quota (including how many CloudAgents the namespace may hold), container defaults, and a
 * runtime ServiceAccount that carries no Kubernetes API token.
 */
export function buildNamespaceBundle(input: OrgNamespaceInput): KubernetesObject[] {
  return [
    namespaceLabels(input),
    runtimeServiceAccount(input),
    resourceQuota(input),
    limitRange(input),
    runtimeNetworkPolicy(input),
  ];
}

function namespaceLabels({ namespace }: OrgNamespaceInput): V1Namespace {
  // Applied with only these labels: the API owns the namespace and its org label.
  const podSecurity = Object.fromEntries(
    ['enforce', 'audit', 'warn'].flatMap((mode) => [
      [`pod-security.kubernetes.io/${mode}`, 'restricted'],
      [`pod-security.kubernetes.io/${mode}-version`, 'latest'],
    ]),
  );
  return { apiVersion: 'v1', kind: 'Namespace', metadata: { name: namespace, labels: podSecurity } };
}

function runtimeServiceAccount({ namespace, orgSlug }: OrgNamespaceInput): V1ServiceAccount {
  return {
    apiVersion: 'v1',
    kind: 'ServiceAccount',
    metadata: { name: runtimeName, namespace, labels: orgObjectLabels(orgSlug) },
    // The runtime never calls the Kubernetes API: a stolen pod yields no cluster credential.
    automountServiceAccountToken: false,
  };
}

function resourceQuota({ namespace, orgSlug, settings }: OrgNamespaceInput): V1ResourceQuota {
  const { quota } = settings;
  return {
    apiVersion: 'v1',
    kind: 'ResourceQuota',
    metadata: { name: 'astromesh-org-quota', namespace, labels: orgObjectLabels(orgSlug) },
    spec: {
      hard: {
        'requests.cpu': quota.requestsCpu,
        'requests.memory': quota.requestsMemory,
        'limits.cpu': quota.limitsCpu,
        'limits.memory': quota.limitsMemory,
        pods: String(quota.pods),
        'count/cloudagents.astromesh.io': String(quota.cloudAgents),
        // The org runs one runtime Service; nothing in it needs a LoadBalancer or NodePort.
        services: '2',
        'services.loadbalancers': '0',
        'services.nodeports': '0',
      },
    },
  };
}

// Wire format, not client-node's V1LimitRange: its model calls `default` `_default`.
function limitRange({ namespace, orgSlug, settings }: OrgNamespaceInput): KubernetesObject & { spec: unknown } {
  const { requests, limits } = settings.resources;
  return {
    apiVersion: 'v1',
    kind: 'LimitRange',
    metadata: { name: 'astromesh-org-limits', namespace, labels: orgObjectLabels(orgSlug) },
    spec: {
      limits: [
        {
          type: 'Container',
          default: { cpu: limits.cpu, memory: limits.memory },
          defaultRequest: { cpu: requests.cpu, memory: requests.memory },
          max: { cpu: settings.quota.limitsCpu, memory: settings.quota.limitsMemory },
        },
      ],
    },
  };
}

// Private, link-local (cloud metadata at 169.254.169.254), shared and loopback ranges: a runtime
// reaches the public internet (model providers) but nothing inside the cluster or the cloud.
const internalIpv4 = [
  '10.0.0.0/8',
  '172.16.0.0/12',
  '192.168.0.0/16',
  '169.254.0.0/16',
  '100.64.0.0/10',
  '127.0.0.0/8',
];
const internalIpv6 = ['fc00::/7', 'fe80::/10', '::1/128'];

// Wire format: client-node's model calls an ingress rule's `from` `_from`.
function runtimeNetworkPolicy({
  namespace,
  orgSlug,
  settings,
}: OrgNamespaceInput): KubernetesObject & { spec: unknown } {
  const dns: V1NetworkPolicyEgressRule = {
    to: [{ namespaceSelector: {}, podSelector: { matchLabels: { 'k8s-app': 'kube-dns' } } }],
    ports: [
      { protocol: 'UDP', port: 53 },
      { protocol: 'TCP', port: 53 },
    ],
  };
  const internet: V1NetworkPolicyEgressRule = {
    to: [{ ipBlock: { cidr: '0.0.0.0/0', except: internalIpv4 } }, { ipBlock: { cidr: '::/0', except: internalIpv6 } }],
  };
  return {
    apiVersion: 'networking.k8s.io/v1',
    kind: 'NetworkPolicy',
    metadata: { name: 'astromesh-runtime-isolation', namespace, labels: orgObjectLabels(orgSlug) },
    spec: {
      // Every pod of the namespace: nothing an org could start there is reachable or unfenced.
      podSelector: {},
      policyTypes: ['Ingress', 'Egress'],
      ingress: [
        {
          from: [
            {
              namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': settings.api.namespace } },
              podSelector: { matchLabels: settings.api.podLabels },
            },
          ],
          ports: [{ protocol: 'TCP', port: runtimePort }],
        },
      ],
      egress: [dns, internet, ...settings.egressAllow.map(egressRule)],
    },
  };
}

function egressRule(allowance: EgressAllowance): V1NetworkPolicyEgressRule {
  const peer: V1NetworkPolicyPeer =
    'cidr' in allowance
      ? { ipBlock: { cidr: allowance.cidr } }
      : {
          namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': allowance.namespace } },
          podSelector: { matchLabels: allowance.podLabels ?? {} },
        };
  return { to: [peer], ...(allowance.port ? { ports: [{ protocol: 'TCP', port: allowance.port }] } : {}) };
}
