import type { CoreV1Api } from '@kubernetes/client-node';

/**
 * Reads a ConfigMap's or Secret's keys as bytes, or undefined when it does not exist. Read once
 * when a container starts: later changes are not propagated (a real kubelet syncs volumes).
 */
export async function readConfigMapData(params: {
  core: CoreV1Api;
  namespace: string;
  name: string;
}): Promise<Map<string, Buffer> | undefined> {
  const { core, namespace, name } = params;
  try {
    const configMap = await core.readNamespacedConfigMap({ namespace, name });
    const data = new Map<string, Buffer>();
    for (const [key, value] of Object.entries(configMap.data ?? {})) data.set(key, Buffer.from(value, 'utf8'));
    for (const [key, value] of Object.entries(configMap.binaryData ?? {})) data.set(key, Buffer.from(value, 'base64'));
    return data;
  } catch (err) {
    if (isNotFound(err)) return undefined;
    throw err;
  }
}

export async function readSecretData(params: {
  core: CoreV1Api;
  namespace: string;
  name: string;
}): Promise<Map<string, Buffer> | undefined> {
  const { core, namespace, name } = params;
  try {
    const secret = await core.readNamespacedSecret({ namespace, name });
    // The API returns secret data base64-encoded; stringData is write-only.
    return new Map(Object.entries(secret.data ?? {}).map(([key, value]) => [key, Buffer.from(value, 'base64')]));
  } catch (err) {
    if (isNotFound(err)) return undefined;
    throw err;
  }
}

export function isNotFound(err: unknown): boolean {
  return (err as { code?: number } | undefined)?.code === 404;
}
