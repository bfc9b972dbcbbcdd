import { mkdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

/** The data directory cannot be created or written: astromeshd refuses to start. */
export class DataDirNotWritable extends Error {
  override name = 'DataDirNotWritable';
}

/**
 * Creates the data directory (0700, parents too) and writes and removes a probe file in it.
 * Checked at start for every runtime, not only when an agent first needs the directory: a
 * runtime that starts is one whose sqlite memory and vector store can write, so on Kubernetes a
 * Ready runtime pod proves its data volume is writable, and a bad --data-dir fails at once.
 */
export async function ensureWritableDataDir(dir: string): Promise<void> {
  const probe = join(dir, `.astromeshd-write-probe-${process.pid}`);
  try {
    await mkdir(dir, { recursive: true, mode: 0o700 });
    await writeFile(probe, '');
    await rm(probe, { force: true });
  } catch (err) {
    // The error code only, no cause: the log's error serializer would repeat the path in it.
    const reason = (err as NodeJS.ErrnoException).code ?? (err as Error).message;
    throw new DataDirNotWritable(
      `--data-dir ${dir}: cannot create or write the data directory (${reason}); give --data-dir (or ASTROMESH_DATA_DIR) a writable folder`,
    );
  }
}
