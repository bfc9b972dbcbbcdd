import { readFileSync } from 'node:fs';
import { join } from 'node:path';

const repoRoot = join(import.meta.dirname, '..', '..');

/**
 * The Node flags the product image runs astromeshd with: what stands between `node` and
 * `runtime/main.ts` in the Dockerfile's ENTRYPOINT. Benchmarks and the memory-limit test start
 * the runtime with these, so they measure the heap sizing production uses.
 */
export function imageNodeFlags(): string[] {
  const dockerfile = readFileSync(join(repoRoot, 'Dockerfile'), 'utf8');
  const line = /^ENTRYPOINT\s+(\[.*\])\s*$/m.exec(dockerfile)?.[1];
  if (!line) throw new Error('the Dockerfile has no ENTRYPOINT in exec form');
  const entrypoint = JSON.parse(line) as string[];
  const script = entrypoint.indexOf('runtime/main.ts');
  if (entrypoint[0] !== 'node' || script === -1) {
    throw new Error(`the Dockerfile's ENTRYPOINT is not node … runtime/main.ts: ${line}`);
  }
  return entrypoint.slice(1, script);
}
