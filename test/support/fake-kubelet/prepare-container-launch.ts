import { join } from 'node:path';
import type { CoreV1Api, V1Container, V1Pod } from '@kubernetes/client-node';
import type { FakeImages } from './kubelet-types.ts';
import { type ContainerLaunch, findImage, planContainerLaunch } from './plan-container-launch.ts';
import type { PodAddress } from './pod-address-pool.ts';
import { resolveContainerEnv } from './resolve-container-env.ts';
import type { LocalMount } from './rewrite-mount-paths.ts';

/**
 * Everything a container needs before its process can start: its image, its environment (read
 * from the API) and where its volume mounts are. Throws ContainerConfigError when one is missing.
 */
export async function prepareContainerLaunch(params: {
  core: CoreV1Api;
  images: FakeImages;
  pod: V1Pod;
  container: V1Container;
  address: PodAddress;
  volumeFolders: ReadonlyMap<string, string>;
  podDir: string;
  baseEnv: Record<string, string>;
}): Promise<ContainerLaunch> {
  const { core, images, pod, container, address, volumeFolders, podDir, baseEnv } = params;
  const image = findImage(images, container.image ?? '');
  const env = await resolveContainerEnv({ core, pod, container, address, imageEnv: image.env });
  const mounts: LocalMount[] = (container.volumeMounts ?? []).flatMap((mount) => {
    const folder = volumeFolders.get(mount.name);
    return folder ? [{ mountPath: mount.mountPath, localPath: join(folder, mount.subPath ?? '') }] : [];
  });
  return planContainerLaunch({ container, image, env, mounts, podDir, baseEnv });
}
