import type { CoreV1Api, V1Container, V1Pod } from '@kubernetes/client-node';
import { expandKubeReferences } from './expand-kube-references.ts';
import { ContainerConfigError } from './kubelet-types.ts';
import type { PodAddress } from './pod-address-pool.ts';
import { podFieldValue } from './pod-field-value.ts';
import { readConfigMapData, readSecretData } from './read-config-sources.ts';

/**
 * A container's environment as Kubernetes builds it: `envFrom` first, then `env` in order, each
 * value able to refer to the ones before it with `$(NAME)`. A missing ConfigMap, Secret or key
 * that is not optional is a CreateContainerConfigError, as on a real node. Service links
 * (`<SERVICE>_SERVICE_HOST`) are not added.
 */
export async function resolveContainerEnv(params: {
  core: CoreV1Api;
  pod: V1Pod;
  container: V1Container;
  address: PodAddress;
  imageEnv?: Record<string, string>;
}): Promise<Map<string, string>> {
  const { core, pod, container, address, imageEnv = {} } = params;
  const namespace = pod.metadata?.namespace ?? 'default';
  const env = new Map<string, string>(Object.entries(imageEnv));
  for (const source of container.envFrom ?? []) {
    const ref = source.configMapRef ?? source.secretRef;
    if (!ref) continue;
    const kind = source.configMapRef ? 'configmap' : 'secret';
    const read = source.configMapRef ? readConfigMapData : readSecretData;
    const data = await read({ core, namespace, name: ref.name ?? '' });
    if (!data && !ref.optional) throw configError(`${kind} "${ref.name}" not found`);
    for (const [key, value] of data ?? []) env.set(`${source.prefix ?? ''}${key}`, value.toString('utf8'));
  }
  for (const variable of container.env ?? []) {
    const value = variable.valueFrom
      ? await envValueFrom({ core, pod, address, namespace, variable })
      : expandKubeReferences(variable.value ?? '', env);
    if (value !== undefined) env.set(variable.name, value);
  }
  return env;
}

async function envValueFrom(params: {
  core: CoreV1Api;
  pod: V1Pod;
  address: PodAddress;
  namespace: string;
  variable: NonNullable<V1Container['env']>[number];
}): Promise<string | undefined> {
  const { core, pod, address, namespace, variable } = params;
  const source = variable.valueFrom ?? {};
  if (source.fieldRef) return podFieldValue({ pod, fieldPath: source.fieldRef.fieldPath, address });
  const keyRef = source.secretKeyRef ?? source.configMapKeyRef;
  if (keyRef) {
    const kind = source.secretKeyRef ? 'secret' : 'configmap';
    const read = source.secretKeyRef ? readSecretData : readConfigMapData;
    const data = await read({ core, namespace, name: keyRef.name ?? '' });
    const value = data?.get(keyRef.key);
    if (value !== undefined) return value.toString('utf8');
    if (keyRef.optional) return undefined;
    throw configError(
      data
        ? `couldn't find key ${keyRef.key} in ${kind} ${namespace}/${keyRef.name}`
        : `${kind} "${keyRef.name}" not found`,
    );
  }
  throw configError(`env ${variable.name}: only value, fieldRef, secretKeyRef and configMapKeyRef are supported`);
}

function configError(message: string): ContainerConfigError {
  return new ContainerConfigError('CreateContainerConfigError', message);
}
