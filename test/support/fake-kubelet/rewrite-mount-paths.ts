import { join } from 'node:path';

/** Where a container's volume mount really lives on this machine. */
export interface LocalMount {
  mountPath: string;
  localPath: string;
}

/**
 * The fake kubelet has no mount namespace, so a path inside a volume (`/etc/astromesh/agents`)
 * means nothing to a local process. Values that start with a mount path, alone or as
 * `--flag=<path>`, are pointed at the pod's folder for that volume instead.
 */
export function rewriteMountPaths(value: string, mounts: readonly LocalMount[]): string {
  const longestFirst = [...mounts].sort((a, b) => b.mountPath.length - a.mountPath.length);
  const flag = /^(-{1,2}[\w.-]+=)/.exec(value)?.[1] ?? '';
  const path = value.slice(flag.length);
  for (const mount of longestFirst) {
    const mountPath = mount.mountPath.replace(/\/+$/, '') || '/';
    if (path === mountPath) return flag + mount.localPath;
    const prefix = mountPath === '/' ? '/' : `${mountPath}/`;
    if (path.startsWith(prefix)) return flag + join(mount.localPath, path.slice(prefix.length));
  }
  return value;
}
