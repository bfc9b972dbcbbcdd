import { readFileSync } from 'node:fs';
import type { RequestOptions } from 'node:https';
import { dirname, join, resolve } from 'node:path';
import { load } from 'js-yaml';
import type { KubeAccess } from './kube-access.ts';

/** Where a pod's ServiceAccount credentials are mounted. */
export const serviceAccountDir = '/var/run/secrets/kubernetes.io/serviceaccount';

// A projected ServiceAccount token is rotated in its file; client-go reads it again every minute.
const tokenFileRereadMs = 60_000;

interface KubeconfigFile {
  'current-context'?: string;
  clusters?: Array<{ name: string; cluster?: Record<string, unknown> }>;
  contexts?: Array<{ name: string; context?: { cluster?: string; user?: string } }>;
  users?: Array<{ name: string; user?: Record<string, unknown> }>;
}

/**
 * The operator's credentials: the kubeconfig at `kubeconfigPath`, else its pod's ServiceAccount.
 * Tokens, token files, client certificates, CAs and basic auth are read here; only a kubeconfig
 * that needs more (an exec plugin, an auth provider, a proxy) loads client-node's KubeConfig,
 * whose generated API models alone cost the process about 90 MiB of memory.
 */
export async function loadKubeAccess(input: {
  kubeconfigPath: string | undefined;
  env?: NodeJS.ProcessEnv;
  serviceAccountDir?: string;
  now?: () => number;
}): Promise<KubeAccess> {
  const now = input.now ?? Date.now;
  if (!input.kubeconfigPath) {
    const env = input.env ?? process.env;
    const dir = input.serviceAccountDir ?? serviceAccountDir;
    const host = env.KUBERNETES_SERVICE_HOST;
    if (!host) throw new Error('no --kubeconfig and not in a cluster (KUBERNETES_SERVICE_HOST is not set)');
    const hostPart = host.includes(':') ? `[${host}]` : host;
    return staticAccess({
      server: `https://${hostPart}:${env.KUBERNETES_SERVICE_PORT ?? '443'}`,
      ca: readFileSync(join(dir, 'ca.crt')),
      token: rereadEvery(join(dir, 'token'), tokenFileRereadMs, now),
    });
  }
  const path = input.kubeconfigPath;
  const file = (load(readFileSync(path, 'utf8')) ?? {}) as KubeconfigFile;
  const contextName = file['current-context'];
  const context = file.contexts?.find((entry) => entry.name === contextName)?.context;
  const cluster = file.clusters?.find((entry) => entry.name === context?.cluster)?.cluster;
  const user = file.users?.find((entry) => entry.name === context?.user)?.user ?? {};
  if (!context || !cluster || typeof cluster.server !== 'string') {
    throw new Error(`${path}: the current context names no cluster with a server`);
  }
  if (user.exec || user['auth-provider'] || cluster['proxy-url']) {
    const { KubeConfig } = await import('@kubernetes/client-node');
    const kubeConfig = new KubeConfig();
    kubeConfig.loadFromFile(path);
    return kubeConfig;
  }
  const pem = (dataKey: string, fileKey: string, from: Record<string, unknown>) => {
    if (typeof from[dataKey] === 'string') return Buffer.from(from[dataKey], 'base64');
    // Relative paths are relative to the kubeconfig, as kubectl reads them.
    if (typeof from[fileKey] === 'string') return readFileSync(resolve(dirname(path), from[fileKey]));
    return undefined;
  };
  const tokenFile = user.tokenFile;
  return staticAccess({
    server: cluster.server,
    ca: pem('certificate-authority-data', 'certificate-authority', cluster),
    cert: pem('client-certificate-data', 'client-certificate', user),
    key: pem('client-key-data', 'client-key', user),
    rejectUnauthorized: cluster['insecure-skip-tls-verify'] === true ? false : undefined,
    servername: typeof cluster['tls-server-name'] === 'string' ? cluster['tls-server-name'] : undefined,
    token:
      typeof user.token === 'string'
        ? () => user.token as string
        : typeof tokenFile === 'string'
          ? rereadEvery(resolve(dirname(path), tokenFile), tokenFileRereadMs, now)
          : undefined,
    basicAuth: typeof user.username === 'string' ? `${user.username}:${String(user.password ?? '')}` : undefined,
  });
}

function staticAccess(config: {
  server: string;
  ca?: Buffer;
  cert?: Buffer;
  key?: Buffer;
  rejectUnauthorized?: boolean;
  servername?: string;
  token?: () => string;
  basicAuth?: string;
}): KubeAccess {
  const cluster = { server: config.server };
  return {
    getCurrentCluster: () => cluster,
    async applyToHTTPSOptions(options: RequestOptions) {
      if (config.ca) options.ca = config.ca;
      if (config.cert) options.cert = config.cert;
      if (config.key) options.key = config.key;
      if (config.rejectUnauthorized !== undefined) options.rejectUnauthorized = config.rejectUnauthorized;
      if (config.servername) options.servername = config.servername;
      const token = config.token?.();
      if (token) options.headers = { ...options.headers, authorization: `Bearer ${token}` };
      else if (config.basicAuth) options.auth = config.basicAuth;
    },
  };
}

/** The file's trimmed content, read again once `intervalMs` has passed since the last read. */
function rereadEvery(path: string, intervalMs: number, now: () => number): () => string {
  let value = readFileSync(path, 'utf8').trim();
  let readAt = now();
  return () => {
    if (now() - readAt >= intervalMs) {
      try {
        value = readFileSync(path, 'utf8').trim();
      } catch {
        // Mid-rotation the file may be missing for a moment: the last token is still the best guess.
      }
      readAt = now();
    }
    return value;
  };
}
