import { existsSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { nodeCgroupNames, removeNodeCgroup } from './node-cgroups.ts';
import { processStartTime } from './process-start-time.ts';

const runDirPrefix = 'astromesh-node-';

/** The per-run folder of a node on the machine's disk; its name is also the run's cgroup name. */
export function nodeRunDir(runId: string): string {
  return join(tmpdir(), `${runDirPrefix}${runId}`);
}

/** Records which process owns a run, so a later run can tell a live node from a killed one's remains. */
export function writeRunOwner(runDir: string): void {
  writeFileSync(
    join(runDir, 'owner.json'),
    JSON.stringify({ pid: process.pid, startTime: processStartTime(process.pid) }),
  );
}

/**
 * Removes what killed runs left: a node's supervisor cleans up after itself when its test process
 * dies, but a SIGKILL of the whole process group, or of the machine's power, leaves the run folder
 * and the run's (empty) cgroups. A run whose owner process is alive is left alone.
 */
export function sweepStaleNodeRuns(): string[] {
  const swept: string[] = [];
  const liveRuns = new Set<string>();
  for (const entry of readdirSync(tmpdir())) {
    if (!entry.startsWith(runDirPrefix)) continue;
    const dir = join(tmpdir(), entry);
    if (isOwnerAlive(dir)) {
      liveRuns.add(entry);
      continue;
    }
    removeNodeCgroup(entry);
    rmSync(dir, { recursive: true, force: true });
    swept.push(entry);
  }
  for (const name of nodeCgroupNames()) {
    if (liveRuns.has(name)) continue;
    // Left only if something still runs in it: then it is not ours to take away.
    if (removeNodeCgroup(name).length === 0) swept.push(name);
  }
  return [...new Set(swept)];
}

function isOwnerAlive(runDir: string): boolean {
  const ownerFile = join(runDir, 'owner.json');
  // A run writes its owner right after making its folder; one without is being made or is junk
  // from a crash at that very moment: a recent one is left for its owner.
  if (!existsSync(ownerFile)) return Date.now() - statSync(runDir).mtimeMs < 60_000;
  try {
    const owner = JSON.parse(readFileSync(ownerFile, 'utf8')) as { pid: number; startTime: string };
    return processStartTime(owner.pid) === owner.startTime;
  } catch {
    return false;
  }
}
