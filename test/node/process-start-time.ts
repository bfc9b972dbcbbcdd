import { readFileSync } from 'node:fs';

/**
 * When a process started (clock ticks since boot, field 22 of /proc/<pid>/stat), which tells it
 * apart from a later process given the same pid; undefined when it is gone or a zombie: a zombie
 * is dead, only not reaped yet (and a parent that never reaps keeps it so).
 */
export function processStartTime(pid: number): string | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    if (fields[0] === 'Z' || fields[0] === 'X') return undefined;
    return fields[19];
  } catch {
    return undefined;
  }
}
