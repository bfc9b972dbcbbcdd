import { mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const pollMs = 1_000;
const reportEveryMs = 15_000;
const staleWithoutPidMs = 10_000;

/**
 * Runs `work` while holding the images cache's lock, so two builds (npm run image beside a test
 * run's setup, say) never write the same store, stamps and archives at once. A lock whose owner
 * is gone (a killed build) is taken over.
 */
export async function withBuildLock<T>(params: {
  imagesDir: string;
  log: (line: string) => void;
  work: () => Promise<T>;
}): Promise<T> {
  const lockDir = join(params.imagesDir, 'build.lock');
  const ownerFile = join(lockDir, 'pid');
  mkdirSync(params.imagesDir, { recursive: true });
  const waitingSince = Date.now();
  let reportedAt = waitingSince;
  for (;;) {
    try {
      mkdirSync(lockDir);
      writeFileSync(ownerFile, String(process.pid));
      break;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
    const owner = readOwner(ownerFile);
    // No pid yet is a lock being taken this instant, unless it has stayed so (its taker died).
    const isStale = owner === undefined ? Date.now() - ageOrNow(lockDir) > staleWithoutPidMs : !isAlive(owner);
    if (isStale) {
      rmSync(lockDir, { recursive: true, force: true });
      continue;
    }
    if (Date.now() - reportedAt >= reportEveryMs) {
      reportedAt = Date.now();
      params.log(
        `waiting for another image build (pid ${owner}) to finish (${Math.round((reportedAt - waitingSince) / 1000)}s)`,
      );
    }
    await new Promise((resolve) => setTimeout(resolve, pollMs));
  }
  try {
    return await params.work();
  } finally {
    rmSync(lockDir, { recursive: true, force: true });
  }
}

function readOwner(file: string): number | undefined {
  try {
    const pid = Number(readFileSync(file, 'utf8'));
    return Number.isInteger(pid) && pid > 0 ? pid : undefined;
  } catch {
    return undefined;
  }
}

/** When the lock folder was made; now if it is already gone (then the next mkdir wins). */
function ageOrNow(lockDir: string): number {
  try {
    return statSync(lockDir).mtimeMs;
  } catch {
    return Date.now();
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}
