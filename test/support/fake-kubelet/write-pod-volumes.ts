import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { CoreV1Api, V1KeyToPath, V1Pod, V1Volume, V1VolumeProjection } from '@kubernetes/client-node';
import { ContainerConfigError, type KubeletLog } from './kubelet-types.ts';
import type { PodAddress } from './pod-address-pool.ts';
import { podFieldValue } from './pod-field-value.ts';
import { readConfigMapData, readSecretData } from './read-config-sources.ts';

interface VolumeContext {
  core: CoreV1Api;
  pod: V1Pod;
  address: PodAddress;
  log: KubeletLog;
}

/**
 * Writes every volume of the pod into `<podDir>/volumes/<name>` and returns those folders by
 * volume name. configMap and secret volumes get one file per key (or per `items` entry),
 * emptyDir an empty folder, downwardAPI and projected volumes their files; a volume type the
 * fake kubelet cannot provide (hostPath, PVCs…) becomes an empty folder and a log line.
 */
export async function writePodVolumes(params: VolumeContext & { podDir: string }): Promise<Map<string, string>> {
  const { podDir, ...context } = params;
  const folders = new Map<string, string>();
  for (const volume of context.pod.spec?.volumes ?? []) {
    const folder = join(podDir, 'volumes', volume.name);
    mkdirSync(folder, { recursive: true });
    await writeVolume(context, volume, folder);
    folders.set(volume.name, folder);
  }
  return folders;
}

async function writeVolume(context: VolumeContext, volume: V1Volume, folder: string): Promise<void> {
  const { core, pod, log } = context;
  const namespace = pod.metadata?.namespace ?? 'default';
  if (volume.emptyDir) return;
  // ConfigMap and Secret volumes differ only in where their data comes from.
  const source = volume.configMap
    ? { kind: 'configmap' as const, name: volume.configMap.name, read: readConfigMapData, ...volume.configMap }
    : volume.secret
      ? { kind: 'secret' as const, name: volume.secret.secretName, read: readSecretData, ...volume.secret }
      : undefined;
  if (source) {
    const { items, optional } = source;
    const data = await source.read({ core, namespace, name: source.name ?? '' });
    requireSource({ volume, kind: source.kind, name: source.name, data, items, optional });
    writeAll(folder, select({ volume, data, items, optional }), source.defaultMode);
    return;
  }
  if (volume.downwardAPI) {
    writeAll(folder, downwardFiles(context, volume.downwardAPI.items ?? []), volume.downwardAPI.defaultMode);
    return;
  }
  if (volume.projected) {
    for (const projection of volume.projected.sources ?? []) {
      writeAll(folder, await projectedFiles(context, volume, projection), volume.projected.defaultMode);
    }
    return;
  }
  log({ pod: pod.metadata?.name, volume: volume.name }, 'volume type not supported, left empty');
}

// A missing source that is not optional keeps the pod from starting, as on a real node.
function requireSource(params: {
  volume: V1Volume;
  kind: string;
  name: string | undefined;
  data: Map<string, Buffer> | undefined;
  items: V1KeyToPath[] | undefined;
  optional: boolean | undefined;
}): void {
  const { volume, kind, name, data, optional } = params;
  if (!data && !optional) {
    throw new ContainerConfigError(
      'ContainerCreating',
      `MountVolume.SetUp failed for volume "${volume.name}": ${kind} "${name}" not found`,
    );
  }
}

function select(params: {
  volume: V1Volume;
  data: Map<string, Buffer> | undefined;
  items: V1KeyToPath[] | undefined;
  optional: boolean | undefined;
}): FileToWrite[] {
  const { volume, data, items, optional } = params;
  if (!data) return [];
  if (!items || items.length === 0) return [...data].map(([key, content]) => ({ path: key, content }));
  return items.flatMap((item) => {
    const content = data.get(item.key);
    if (content !== undefined) return [{ path: item.path, content, mode: item.mode }];
    if (optional) return [];
    throw new ContainerConfigError(
      'ContainerCreating',
      `MountVolume.SetUp failed for volume "${volume.name}": key "${item.key}" not found`,
    );
  });
}

function downwardFiles(
  context: VolumeContext,
  items: { path: string; fieldRef?: { fieldPath: string }; mode?: number }[],
): FileToWrite[] {
  return items.flatMap((item) => {
    if (!item.fieldRef) return [];
    const value = podFieldValue({ pod: context.pod, fieldPath: item.fieldRef.fieldPath, address: context.address });
    return [{ path: item.path, content: Buffer.from(value), mode: item.mode }];
  });
}

async function projectedFiles(
  context: VolumeContext,
  volume: V1Volume,
  projection: V1VolumeProjection,
): Promise<FileToWrite[]> {
  const { core, pod } = context;
  const namespace = pod.metadata?.namespace ?? 'default';
  if (projection.configMap) {
    const source = projection.configMap;
    const data = await readConfigMapData({ core, namespace, name: source.name ?? '' });
    requireSource({
      volume,
      kind: 'configmap',
      name: source.name,
      data,
      items: source.items,
      optional: source.optional,
    });
    return select({ volume, data, items: source.items, optional: source.optional });
  }
  if (projection.secret) {
    const source = projection.secret;
    const data = await readSecretData({ core, namespace, name: source.name ?? '' });
    requireSource({ volume, kind: 'secret', name: source.name, data, items: source.items, optional: source.optional });
    return select({ volume, data, items: source.items, optional: source.optional });
  }
  if (projection.downwardAPI) return downwardFiles(context, projection.downwardAPI.items ?? []);
  if (projection.serviceAccountToken) {
    const source = projection.serviceAccountToken;
    const tokenRequest = await core.createNamespacedServiceAccountToken({
      namespace,
      name: pod.spec?.serviceAccountName ?? 'default',
      body: {
        spec: {
          audiences: source.audience ? [source.audience] : [],
          expirationSeconds: source.expirationSeconds ?? 3600,
          boundObjectRef: { apiVersion: 'v1', kind: 'Pod', name: pod.metadata?.name, uid: pod.metadata?.uid },
        },
      },
    });
    return [{ path: source.path, content: Buffer.from(tokenRequest.status?.token ?? '') }];
  }
  context.log({ pod: pod.metadata?.name, volume: volume.name }, 'projected source not supported, skipped');
  return [];
}

interface FileToWrite {
  path: string;
  content: Buffer;
  mode?: number;
}

function writeAll(folder: string, files: FileToWrite[], defaultMode: number | undefined): void {
  for (const file of files) {
    const target = join(folder, file.path);
    mkdirSync(dirname(target), { recursive: true });
    writeFileSync(target, file.content);
    chmodSync(target, (file.mode ?? defaultMode ?? 0o644) & 0o777);
  }
}
