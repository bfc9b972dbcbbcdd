import { existsSync, mkdirSync, readFileSync, rmdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** A memory cgroup made for one test: its processes are OOM-killed past `limitBytes`. */
export interface MemoryCgroup {
  /** cgroup v2 (memory.max) or v1 (memory.limit_in_bytes): whichever hierarchy holds the memory controller. */
  readonly version: 1 | 2;
  /** The file a process writes its pid to to join (`echo $$ > procsFile` before exec). */
  readonly procsFile: string;
  /** Processes the kernel OOM-killed in it (memory.events or memory.oom_control, `oom_kill`). */
  oomKills(): number;
  /** The most memory it was ever charged, in bytes (memory.peak or memory.max_usage_in_bytes). */
  peakBytes(): number;
  /** Removes it; its processes must have exited. */
  remove(): void;
}

const root = '/sys/fs/cgroup';

/**
 * Creates a memory cgroup with this limit, under cgroup v2 where the memory controller is on the
 * unified hierarchy (mounted at /sys/fs/cgroup, or /sys/fs/cgroup/unified on a hybrid host), else
 * under cgroup v1's memory hierarchy. Needs root. Throws, saying which files it looked at, when
 * the machine has neither: the caller cannot bound a process's memory there.
 */
export function createMemoryCgroup(name: string, limitBytes: number): MemoryCgroup {
  const unified = [root, join(root, 'unified')].find((dir) =>
    readOr(join(dir, 'cgroup.controllers'), '').split(/\s+/).includes('memory'),
  );
  if (unified) {
    // A child gets the memory controller only if its parent enables it for its children.
    writeFileSync(join(unified, 'cgroup.subtree_control'), '+memory');
    const dir = join(unified, name);
    mkdirSync(dir);
    writeFileSync(join(dir, 'memory.max'), String(limitBytes));
    // No swap: past the limit the process is killed, as in a pod, instead of paging out.
    if (existsSync(join(dir, 'memory.swap.max'))) writeFileSync(join(dir, 'memory.swap.max'), '0');
    return {
      version: 2,
      procsFile: join(dir, 'cgroup.procs'),
      oomKills: () => fieldOf(readFileSync(join(dir, 'memory.events'), 'utf8'), 'oom_kill'),
      peakBytes: () => Number(readFileSync(join(dir, 'memory.peak'), 'utf8')),
      remove: () => rmdirSync(dir),
    };
  }
  const v1 = join(root, 'memory');
  if (existsSync(join(v1, 'memory.limit_in_bytes'))) {
    const dir = join(v1, name);
    mkdirSync(dir);
    writeFileSync(join(dir, 'memory.limit_in_bytes'), String(limitBytes));
    if (existsSync(join(dir, 'memory.memsw.limit_in_bytes'))) {
      writeFileSync(join(dir, 'memory.memsw.limit_in_bytes'), String(limitBytes));
    }
    return {
      version: 1,
      procsFile: join(dir, 'cgroup.procs'),
      oomKills: () => fieldOf(readFileSync(join(dir, 'memory.oom_control'), 'utf8'), 'oom_kill'),
      peakBytes: () => Number(readFileSync(join(dir, 'memory.max_usage_in_bytes'), 'utf8')),
      remove: () => rmdirSync(dir),
    };
  }
  throw new Error(
    `no memory cgroup here: neither ${root}/cgroup.controllers nor ${root}/unified/cgroup.controllers lists ` +
      `the memory controller (cgroup v2), and there is no ${v1}/memory.limit_in_bytes (cgroup v1)`,
  );
}

function readOr(file: string, fallback: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return fallback;
  }
}

function fieldOf(text: string, key: string): number {
  const value = new RegExp(`^${key} (\\d+)$`, 'm').exec(text)?.[1];
  if (value === undefined) throw new Error(`no ${key} line in:\n${text}`);
  return Number(value);
}
