import { readFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { parseArgs } from 'node:util';
import { load } from 'js-yaml';
import { UsageError } from '../runtime/daemon-entry.ts';
import { OrgRuntimeSettings } from './config/org-runtime-settings.ts';

export { UsageError };

export const usage = `astromesh-operator: reconciles CloudAgents into one hardened runtime per org namespace.

Usage:
  astromesh-operator [--kubeconfig PATH] [--runtime-settings FILE] [--runtime-image IMAGE]
                     [--namespace NS] [--leader-elect true|false] [--lease-name NAME] [--identity ID]
                     [--org-namespace-selector SELECTOR] [--host HOST] [--port N] [--workers N]
                     [--resync-interval SECONDS] [--log-level LEVEL]

Every option can also be set by the environment variable in brackets; a flag wins over it.

Options:
  --kubeconfig PATH          Kubeconfig to use [KUBECONFIG]; default: the in-cluster ServiceAccount.
  --runtime-settings FILE    YAML of what every org namespace gets [ASTROMESH_RUNTIME_SETTINGS]: image,
                             imagePullPolicy, replicas, resources, runtimeClassName, dataSizeLimit, quota,
                             api (namespace and pod labels of the Cloud API, the only clients of a
                             runtime), egressAllow.
  --runtime-image IMAGE      The runtime image, overriding the settings file [ASTROMESH_RUNTIME_IMAGE].
                             One of the two must name an image.
  --namespace NS             Namespace of the leader-election Lease [POD_NAMESPACE] (default astromesh-system).
  --leader-elect BOOL        Elect a leader on a Lease so only one replica reconciles
                             [ASTROMESH_LEADER_ELECT] (default true).
  --lease-name NAME          Name of the Lease (default astromesh-operator).
  --identity ID              This replica's name in the Lease [POD_NAME] (default: hostname-pid).
  --org-namespace-selector SELECTOR
                             Serve only org namespaces with these labels, e.g. astromesh.io/shard=a
                             [ASTROMESH_ORG_NAMESPACE_SELECTOR] (default: every org namespace).
  --host HOST                Address of /healthz, /readyz and /metrics (default 0.0.0.0).
  --port N                   Their port [ASTROMESH_OPERATOR_PORT] (default 8080; 0 picks a free one).
  --workers N                Org namespaces reconciled at once (default 4).
  --resync-interval SECONDS  Reconcile every org namespace this often even without events (default 300).
  --log-level LEVEL          fatal, error, warn, info (default), debug, trace or silent. Logs are JSON lines.
  -h, --help                 Show this help.
`;

export interface OperatorOptions {
  kubeconfig: string | undefined;
  settings: OrgRuntimeSettings;
  leaseNamespace: string;
  leaderElect: boolean;
  leaseName: string;
  identity: string;
  orgNamespaceSelector: string | undefined;
  host: string;
  port: number;
  workers: number;
  resyncIntervalMs: number;
  logLevel: string;
}

export function parseOperatorOptions(argv: string[], env: NodeJS.ProcessEnv = {}): OperatorOptions | 'help' {
  const { values } = parseArgs({
    args: argv,
    options: {
      kubeconfig: { type: 'string' },
      'runtime-settings': { type: 'string' },
      'runtime-image': { type: 'string' },
      namespace: { type: 'string' },
      'leader-elect': { type: 'string' },
      'lease-name': { type: 'string' },
      identity: { type: 'string' },
      'org-namespace-selector': { type: 'string' },
      host: { type: 'string' },
      port: { type: 'string' },
      workers: { type: 'string' },
      'resync-interval': { type: 'string' },
      'log-level': { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) return 'help';
  const pick = (flag: keyof typeof values, variable?: string) => {
    const fromFlag = values[flag];
    if (typeof fromFlag === 'string') return { value: fromFlag, source: `--${flag}` };
    const fromEnv = variable ? env[variable] : undefined;
    return fromEnv !== undefined && fromEnv !== '' ? { value: fromEnv, source: variable as string } : undefined;
  };
  const integer = (
    flag: keyof typeof values,
    variable: string | undefined,
    fallback: number,
    min: number,
    max: number,
  ) => {
    const given = pick(flag, variable);
    if (!given) return fallback;
    const value = /^\d+$/.test(given.value) ? Number(given.value) : Number.NaN;
    if (!Number.isInteger(value) || value < min || value > max) {
      throw new UsageError(`${given.source}: '${given.value}' is not a whole number from ${min} to ${max}`);
    }
    return value;
  };

  const leaderElect = pick('leader-elect', 'ASTROMESH_LEADER_ELECT');
  if (leaderElect && !['true', 'false'].includes(leaderElect.value)) {
    throw new UsageError(`${leaderElect.source}: must be true or false`);
  }
  const logLevel = pick('log-level', 'ASTROMESH_LOG_LEVEL')?.value ?? 'info';
  const logLevels = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];
  if (!logLevels.includes(logLevel)) throw new UsageError(`--log-level: must be one of ${logLevels.join(', ')}`);

  return {
    kubeconfig: pick('kubeconfig', 'KUBECONFIG')?.value,
    settings: runtimeSettings(
      pick('runtime-settings', 'ASTROMESH_RUNTIME_SETTINGS'),
      pick('runtime-image', 'ASTROMESH_RUNTIME_IMAGE'),
    ),
    leaseNamespace: pick('namespace', 'POD_NAMESPACE')?.value ?? 'astromesh-system',
    leaderElect: leaderElect?.value !== 'false',
    leaseName: pick('lease-name')?.value ?? 'astromesh-operator',
    identity: pick('identity', 'POD_NAME')?.value ?? `${hostname()}-${process.pid}`,
    orgNamespaceSelector: pick('org-namespace-selector', 'ASTROMESH_ORG_NAMESPACE_SELECTOR')?.value,
    host: pick('host')?.value ?? '0.0.0.0',
    port: integer('port', 'ASTROMESH_OPERATOR_PORT', 8080, 0, 65_535),
    workers: integer('workers', undefined, 4, 1, 64),
    resyncIntervalMs: integer('resync-interval', undefined, 300, 10, 86_400) * 1000,
    logLevel,
  };
}

function runtimeSettings(
  file: { value: string; source: string } | undefined,
  image: { value: string; source: string } | undefined,
): OrgRuntimeSettings {
  let fromFile: Record<string, unknown> = {};
  if (file) {
    let parsed: unknown;
    try {
      parsed = load(readFileSync(file.value, 'utf8'));
    } catch (err) {
      throw new UsageError(`${file.source}: cannot read ${file.value}: ${(err as Error).message}`);
    }
    if (parsed !== undefined && parsed !== null && (typeof parsed !== 'object' || Array.isArray(parsed))) {
      throw new UsageError(`${file.source}: ${file.value} must hold a YAML mapping`);
    }
    fromFile = (parsed ?? {}) as Record<string, unknown>;
  }
  const result = OrgRuntimeSettings.safeParse({ ...fromFile, ...(image ? { image: image.value } : {}) });
  if (!result.success) {
    const issue = result.error.issues[0];
    const field = issue?.path.join('.') || '(settings)';
    if (field === 'image' && !image && !('image' in fromFile)) {
      throw new UsageError(
        'no runtime image: give --runtime-image (ASTROMESH_RUNTIME_IMAGE) or image in --runtime-settings',
      );
    }
    throw new UsageError(`${file?.source ?? 'runtime settings'}: ${field}: ${issue?.message}`);
  }
  return result.data;
}
