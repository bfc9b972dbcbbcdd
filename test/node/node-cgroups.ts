import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, rmdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

/**
 * The cgroup hierarchies mounted on this machine (cgroup v1 controllers, and v2's beside them),
 * from the mount table. Cgroups are not namespaced here: the node's pods live in the machine's
 * own tree, below a per-run cgroup these functions make and remove.
 */
export function cgroupHierarchies(): string[] {
  return readFileSync('/proc/self/mountinfo', 'utf8')
    .split('\n')
    .filter((line) => / - cgroup2? /.test(line))
    .map((line) => line.split(' ')[4] ?? '')
    .filter((mountPoint) => mountPoint !== '');
}

/** Makes the run's cgroup in every hierarchy: the kubelet refuses a `cgroupRoot` that does not exist. */
export function createNodeCgroup(name: string): void {
  for (const hierarchy of cgroupHierarchies()) {
    const dir = join(hierarchy, name);
    mkdirSync(dir, { recursive: true });
    // A v1 cpuset cgroup holds no task until it has CPUs and memory nodes; take the parent's.
    for (const file of ['cpuset.cpus', 'cpuset.mems']) {
      if (existsSync(join(hierarchy, file))) copyFileSync(join(hierarchy, file), join(dir, file));
    }
  }
}

/**
 * Removes the run's cgroup subtree, deepest first (a cgroup goes only once it has no children and
 * no tasks). Returns the directories it could not remove: their tasks still run.
 */
export function removeNodeCgroup(name: string): string[] {
  const left: string[] = [];
  for (const hierarchy of cgroupHierarchies()) {
    const dir = join(hierarchy, name);
    if (existsSync(dir)) left.push(...removeCgroupTree(dir));
  }
  return left;
}

/** Names of node cgroups (`astromesh-node-*`) in any hierarchy, for sweeping a killed run's. */
export function nodeCgroupNames(): Set<string> {
  const names = new Set<string>();
  for (const hierarchy of cgroupHierarchies()) {
    for (const entry of readdirSync(hierarchy)) {
      if (entry.startsWith('astromesh-node-')) names.add(entry);
    }
  }
  return names;
}

function removeCgroupTree(dir: string): string[] {
  const left: string[] = [];
  for (const entry of readdirSync(dir)) {
    const child = join(dir, entry);
    if (statSync(child).isDirectory()) left.push(...removeCgroupTree(child));
  }
  try {
    rmdirSync(dir);
  } catch {
    left.push(dir);
  }
  return left;
}
