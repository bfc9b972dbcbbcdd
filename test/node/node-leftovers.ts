import { existsSync, readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { join } from 'node:path';
import { cgroupHierarchies } from './node-cgroups.ts';

export interface NodeIdentity {
  runDir: string;
  cgroupRoot: string;
  /** `net:[inode]` and `mnt:[inode]` of the node's init, read while the node ran. */
  netNamespace: string;
  mountNamespace: string;
}

/** What the node's namespaces are, from its init's PID (while it runs). */
export function nodeIdentity(node: { runDir: string; cgroupRoot: string; initPid: number }): NodeIdentity {
  return {
    runDir: node.runDir,
    cgroupRoot: node.cgroupRoot,
    netNamespace: readlinkSync(`/proc/${node.initPid}/ns/net`),
    mountNamespace: readlinkSync(`/proc/${node.initPid}/ns/mnt`),
  };
}

/**
 * Everything of a node still on the machine: processes in its network or mount namespace, a
 * mount of its network namespace, its cgroups, its run folder. Empty once it is fully gone.
 */
export function nodeLeftovers(node: NodeIdentity): string[] {
  const left: string[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const namespaces = [readNamespace(entry, 'net'), readNamespace(entry, 'mnt')];
    if (namespaces.includes(node.netNamespace) || namespaces.includes(node.mountNamespace)) {
      left.push(`process ${entry} (${readComm(entry)}) in the node's namespaces`);
    }
  }
  const netInode = node.netNamespace.replace(/^net:\[(\d+)\]$/, '$1');
  for (const line of readFileSync('/proc/self/mountinfo', 'utf8').split('\n')) {
    if (line.includes(node.runDir) || (line.includes(' nsfs ') && line.includes(`net:[${netInode}]`))) {
      left.push(`mount: ${line}`);
    }
  }
  for (const hierarchy of cgroupHierarchies()) {
    if (existsSync(join(hierarchy, node.cgroupRoot))) left.push(`cgroup ${join(hierarchy, node.cgroupRoot)}`);
  }
  if (existsSync(node.runDir)) left.push(`run folder ${node.runDir}`);
  return left;
}

function readNamespace(pid: string, kind: 'net' | 'mnt'): string | undefined {
  try {
    return readlinkSync(`/proc/${pid}/ns/${kind}`);
  } catch {
    return undefined;
  }
}

function readComm(pid: string): string {
  try {
    return readFileSync(`/proc/${pid}/comm`, 'utf8').trim();
  } catch {
    return '?';
  }
}
