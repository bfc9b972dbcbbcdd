import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { dump } from 'js-yaml';
import { type AstromeshdProcess, spawnAstromeshd } from './spawn-astromeshd.ts';

/**
 * astromeshd as a real child process on a free port, over a temp folder of its own: `agents`
 * written into its agents directory, `credentials` into its credentials file, and a data
 * directory, with no shutdown linger. `prepare` may add files to those folders first (a knowledge bundle). What kills the
 * process and removes the folder goes to `onCleanup`. Resolves once it listens.
 */
export async function startAstromeshdProcess(
  options: {
    agents: Record<string, string>;
    credentials: Record<string, string>;
    prepare?: (dirs: { agentsDir: string; dataDir: string }) => void;
  },
  onCleanup: (cleanup: () => Promise<void>) => void,
): Promise<{ astromeshd: AstromeshdProcess; url: string }> {
  const dir = mkdtempSync(join(tmpdir(), 'astromeshd-process-'));
  onCleanup(async () => rmSync(dir, { recursive: true, force: true }));
  const agentsDir = join(dir, 'agents');
  const dataDir = join(dir, 'data');
  mkdirSync(agentsDir);
  mkdirSync(dataDir);
  options.prepare?.({ agentsDir, dataDir });
  for (const [name, text] of Object.entries(options.agents)) writeFileSync(join(agentsDir, name), text);
  const credentialsFile = join(dir, 'credentials.yaml');
  writeFileSync(credentialsFile, dump(options.credentials));
  const astromeshd = spawnAstromeshd([
    '--port',
    '0',
    '--agents-dir',
    agentsDir,
    '--data-dir',
    dataDir,
    '--credentials',
    credentialsFile,
    // A test's keep-alive connections would hold every graceful stop up for the linger.
    '--shutdown-linger-seconds',
    '0',
  ]);
  onCleanup(() => astromeshd.kill());
  const { port } = await astromeshd.waitForLog('astromeshd listening');
  return { astromeshd, url: `http://127.0.0.1:${port as number}` };
}
