import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromaVersion, locateChroma } from '../binaries/install-vector-store-servers.ts';
import { eventually } from './eventually.ts';
import { freePort } from './free-port.ts';

export interface RunningChroma {
  /** http://127.0.0.1:PORT */
  url: string;
  stop(): Promise<void>;
}

/**
 * A real Chroma server (`chroma run`, PyPI chromadb installed by `npm run test:binaries`) on a free
 * loopback port, its data in a temp folder deleted on stop.
 */
export async function startChromaServer(): Promise<RunningChroma> {
  const install = locateChroma();
  if (!existsSync(install.completeMarker)) {
    throw new Error(
      `Chroma is not installed at ${install.venvDir}: run \`npm run test:binaries\` (it installs PyPI chromadb ${chromaVersion})`,
    );
  }
  const dir = mkdtempSync(join(tmpdir(), 'astromesh-chroma-'));
  const port = await freePort();
  const server = spawn(install.executable, ['run', '--path', dir, '--host', '127.0.0.1', '--port', String(port)], {
    stdio: ['ignore', 'pipe', 'pipe'],
    // No usage reports from a test server.
    env: { ...process.env, ANONYMIZED_TELEMETRY: 'False' },
  });
  let output = '';
  const collect = (chunk: Buffer) => {
    if (output.length < 20_000) output += chunk.toString();
  };
  server.stdout.on('data', collect);
  server.stderr.on('data', collect);
  const exited = new Promise<void>((resolve) => server.once('exit', () => resolve()));
  const url = `http://127.0.0.1:${port}`;
  try {
    await eventually(
      async () => {
        if (server.exitCode !== null)
          throw new Error(`chroma exited (${server.exitCode}) before it was ready:\n${output}`);
        const response = await fetch(`${url}/api/v2/heartbeat`);
        if (!response.ok) throw new Error(`chroma's heartbeat answered ${response.status}`);
      },
      { timeoutMs: 60_000, intervalMs: 100 },
    );
  } catch (err) {
    server.kill('SIGKILL');
    await exited;
    rmSync(dir, { recursive: true, force: true });
    throw err;
  }
  return {
    url,
    async stop() {
      if (server.exitCode === null && server.signalCode === null) server.kill('SIGTERM');
      await exited;
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
