import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * The pid of the astromeshd process the local backend runs for `org` under `stateDir`, found by its
 * `--agents-dir` argument, so a test can kill it as a crash would. Throws when none runs.
 */
export function orgRuntimePid(input: { stateDir: string; org: string }): number {
  const agentsDir = join(input.stateDir, 'orgs', input.org, 'agents');
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    let args: string[];
    try {
      args = readFileSync(`/proc/${entry}/cmdline`, 'utf8').split('\0');
    } catch {
      continue; // The process ended while we looked.
    }
    const flag = args.indexOf('--agents-dir');
    if (flag !== -1 && args[flag + 1] === agentsDir) return Number(entry);
  }
  throw new Error(`no astromeshd process serves ${agentsDir}`);
}
