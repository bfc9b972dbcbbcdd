import type { V1Container } from '@kubernetes/client-node';
import { expandKubeReferences } from './expand-kube-references.ts';
import { ContainerConfigError, type FakeImage, type FakeImages } from './kubelet-types.ts';
import { type LocalMount, rewriteMountPaths } from './rewrite-mount-paths.ts';

/** The local process that stands in for a container. */
export interface ContainerLaunch {
  command: string;
  args: string[];
  env: Record<string, string>;
  cwd: string;
}

/**
 * Turns a container spec into a process: the image's entrypoint (as given) unless the container
 * sets `command`, then `args`; in what the pod spec gives, `$(NAME)` expanded from the container's
 * env and paths under a volume mount pointed at the pod's folder for that volume.
 */
export function planContainerLaunch(params: {
  container: V1Container;
  image: FakeImage;
  env: ReadonlyMap<string, string>;
  mounts: readonly LocalMount[];
  podDir: string;
  baseEnv: Record<string, string>;
}): ContainerLaunch {
  const { container, image, env, mounts, podDir, baseEnv } = params;
  const fromSpec = (arg: string) => rewriteMountPaths(expandKubeReferences(arg, env), mounts);
  // The image's entrypoint is a path on this machine, not in the container: it is never rewritten
  // (a checkout under /tmp would otherwise land in the pod's /tmp volume).
  const entrypoint = container.command ? container.command.map(fromSpec) : image.command;
  const argv = [...entrypoint, ...(container.args ?? []).map(fromSpec)];
  const [command, ...args] = argv;
  if (!command) {
    throw new ContainerConfigError('CreateContainerError', `container ${container.name} has no command to run`);
  }
  const containerEnv = Object.fromEntries([...env].map(([name, value]) => [name, rewriteMountPaths(value, mounts)]));
  const workingDir = container.workingDir ? rewriteMountPaths(container.workingDir, mounts) : image.workingDir;
  return { command, args, env: { ...baseEnv, ...containerEnv }, cwd: workingDir ?? podDir };
}

/** The image a container names: an exact match first, then the reference without tag or digest. */
export function findImage(images: FakeImages, reference: string): FakeImage {
  const exact = images[reference];
  if (exact) return exact;
  const withoutDigest = reference.split('@')[0] as string;
  const lastSlash = withoutDigest.lastIndexOf('/');
  const colon = withoutDigest.indexOf(':', lastSlash + 1);
  const repository = colon === -1 ? withoutDigest : withoutDigest.slice(0, colon);
  const byRepository = images[repository];
  if (byRepository) return byRepository;
  throw new ContainerConfigError(
    'ErrImagePull',
    `failed to pull image "${reference}": the fake kubelet knows no image by that name (known: ${Object.keys(images).join(', ') || 'none'})`,
  );
}
