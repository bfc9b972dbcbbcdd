import { readFileSync } from 'node:fs';

export interface PausedProcessTree {
  /** SIGCONT to every process paused; safe to call more than once. */
  resume(): void;
}

/**
 * SIGSTOP a process and its children, as a server frozen whole (a PostgreSQL postmaster and its
 * backends): connections stay open and nothing answers. The parent goes first, so it forks no
 * child the pause would miss. Call resume() in a cleanup, so no stopped process outlives the test.
 */
export function pauseProcessTree(pid: number): PausedProcessTree {
  const paused: number[] = [];
  process.kill(pid, 'SIGSTOP');
  paused.push(pid);
  for (const child of childrenOf(pid)) {
    try {
      process.kill(child, 'SIGSTOP');
      paused.push(child);
    } catch {
      // Exited between the listing and the signal: nothing to pause.
    }
  }
  return {
    resume() {
      for (const stopped of paused.splice(0)) {
        try {
          process.kill(stopped, 'SIGCONT');
        } catch {
          // Already gone.
        }
      }
    },
  };
}

function childrenOf(pid: number): number[] {
  return readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number);
}
