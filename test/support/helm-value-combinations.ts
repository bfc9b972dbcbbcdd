import type { ChartValues } from './helm-chart.ts';

/**
 * Chart values worth rendering, linting and applying: the defaults and the combinations that
 * switch templates on or off. A new combination here is checked by every chart test that
 * iterates over them.
 */
export const valueCombinations: Record<string, ChartValues> = {
  'the default values': {},
  'an external database with memory': {
    database: { mode: 'external', external: { existingSecret: 'astromesh-database' } },
  },
  'an external database without memory': {
    database: { mode: 'external', external: { existingSecret: 'astromesh-database', memoryAdminUrlKey: '' } },
    memory: { enabled: false },
  },
  'the bundled database without persistence': {
    database: { mode: 'bundled', bundled: { persistence: { enabled: false } } },
  },
  'ingress with TLS and autoscaling': {
    api: {
      ingress: {
        enabled: true,
        className: 'nginx',
        host: 'astromesh.example.com',
        tlsSecretName: 'astromesh-tls',
        annotations: { 'nginx.ingress.kubernetes.io/proxy-read-timeout': '3600' },
      },
      autoscaling: { enabled: true, minReplicas: 2, maxReplicas: 6 },
    },
  },
  'a RuntimeClass, an egress allowlist, runtime pull Secrets and an existing keys Secret': {
    runtime: {
      runtimeClassName: 'gvisor',
      imagePullSecrets: [{ name: 'regcred' }],
      replicas: 2,
      egressAllow: [
        { namespace: 'ollama', podLabels: { 'app.kubernetes.io/name': 'ollama' }, port: 11434 },
        { cidr: '10.20.0.0/16', port: 443 },
      ],
    },
    secrets: { existingSecret: 'astromesh-keys' },
  },
  'three operator replicas, no network policies or disruption budgets': {
    operator: { replicas: 3, podDisruptionBudget: { enabled: false }, orgNamespaceSelector: 'astromesh.io/shard=a' },
    api: { podDisruptionBudget: { enabled: false } },
    networkPolicy: { enabled: false },
  },
  'network policies limited to given peers, image pull secrets and scheduling': {
    imagePullSecrets: [{ name: 'registry-credentials' }],
    api: {
      networkPolicy: {
        allowFrom: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'ingress-nginx' } } }],
      },
      nodeSelector: { 'kubernetes.io/os': 'linux' },
      tolerations: [{ key: 'dedicated', operator: 'Equal', value: 'astromesh', effect: 'NoSchedule' }],
      extraEnv: [{ name: 'ASTROMESH_MASTER_KEY_ID', value: 'k2' }],
    },
    operator: {
      networkPolicy: { metricsFrom: [{ podSelector: { matchLabels: { 'app.kubernetes.io/name': 'prometheus' } } }] },
    },
  },
};
