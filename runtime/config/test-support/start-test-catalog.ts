import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { type AgentCatalog, type CatalogChange, createAgentCatalog } from '../agent-catalog.ts';

/**
 * An agent catalog started on a fresh directory holding `files` (name → text), with no periodic
 * rescan; `logLines` collects its warnings when given (silent otherwise). What stops it and removes
 * the directory goes to `onCleanup`.
 */
export async function startTestCatalog(
  files: Record<string, string>,
  onCleanup: (...cleanups: (() => Promise<void> | void)[]) => void,
  logLines?: string[],
): Promise<{ dir: string; catalog: AgentCatalog; changes: CatalogChange[] }> {
  const dir = mkdtempSync(join(tmpdir(), 'agents-'));
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
  const changes: CatalogChange[] = [];
  const catalog = createAgentCatalog({
    dir,
    checks: [],
    log: logLines
      ? pino({ level: 'warn' }, { write: (line: string) => logLines.push(line) })
      : pino({ level: 'silent' }),
    onChange: (change) => changes.push(change),
    rescanIntervalMs: 0,
  });
  await catalog.start();
  onCleanup(
    () => catalog.close(),
    () => rmSync(dir, { recursive: true, force: true }),
  );
  return { dir, catalog, changes };
}
