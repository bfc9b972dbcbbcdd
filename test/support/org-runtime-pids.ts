import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * The pids of every astromeshd process the local backend runs for `org` under `stateDir` (found
 * by their `--agents-dir` argument), living ones only: none while the org sleeps, one while it is
 * awake, more only if something started it twice.
 */
export function orgRuntimePids(input: { stateDir: string; org: string }): number[] {
  const agentsDir = join(input.stateDir, 'orgs', input.org, 'agents');
  const pids: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    let args: string[];
    let state: string;
    try {
      args = readFileSync(`/proc/${entry}/cmdline`, 'utf8').split('\0');
      // The field after the parenthesised name: Z is a process that has exited, not yet reaped.
      state = readFileSync(`/proc/${entry}/stat`, 'utf8').split(') ')[1]?.[0] ?? '';
    } catch {
      continue; // The process ended while we looked.
    }
    const flag = args.indexOf('--agents-dir');
    if (flag !== -1 && args[flag + 1] === agentsDir && state !== 'Z') pids.push(Number(entry));
  }
  return pids;
}
