// Studio's first load, measured (issue 14): run as node_modules/.bin/node test/bench/studio-first-load.ts
// [--cold]. Starts `npm start` on a fresh state directory (so with a new embedded PostgreSQL, as on
// a first run), waits for the Studio URL it prints, and opens it in headless chromium until the
// sign-in form shows; prints the time from `npm start` to each, and the bytes (raw and gzipped)
// of what that first page loads: index.html, the entry script and the stylesheet. `--cold`
// removes studio/dist first, so `npm start` builds Studio as on a fresh clone. Prints numbers,
// asserts nothing.
import { type ChildProcess, spawn } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { launchChromium } from '../studio/launch-chromium.ts';

const repoRoot = join(import.meta.dirname, '..', '..');
const isCold = process.argv.includes('--cold');
if (isCold) rmSync(join(repoRoot, 'studio/dist'), { recursive: true, force: true });

// Launched first: a person's browser is already open when they run npm start.
const browser = await launchChromium();
const stateDir = mkdtempSync(join(tmpdir(), 'astromesh-studio-bench-'));
// As root, PostgreSQL runs as OS user postgres, which must be able to enter this folder.
chmodSync(stateDir, 0o755);
const startedAt = performance.now();
const seconds = () => ((performance.now() - startedAt) / 1000).toFixed(2);
const npmStart = spawn('npm', ['start'], {
  cwd: repoRoot,
  env: { ...process.env, ASTROMESH_STATE_DIR: stateDir, PORT: '0' },
  stdio: ['ignore', 'pipe', 'inherit'],
  detached: true, // its own process group, so the stop below reaches the API under npm
});

try {
  const studioUrl = await studioUrlPrintedBy(npmStart);
  const urlAt = seconds();
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  try {
    const page = await context.newPage();
    const loaded: { url: string; body: Buffer }[] = [];
    page.on('response', async (response) => {
      if (response.ok()) loaded.push({ url: response.url(), body: await response.body() });
    });
    await page.goto(studioUrl);
    await page.getByRole('heading', { name: 'Sign in' }).waitFor();
    const renderedAt = seconds();
    const firstLoad = loaded.filter(({ url }) => url.includes('/studio/'));
    const raw = firstLoad.reduce((sum, { body }) => sum + body.length, 0);
    const gzipped = firstLoad.reduce((sum, { body }) => sum + gzipSync(body).length, 0);
    process.stdout.write(
      `${JSON.stringify({
        cold: isCold,
        npmStartToStudioUrlSeconds: Number(urlAt),
        npmStartToSignInRenderedSeconds: Number(renderedAt),
        firstLoadFiles: firstLoad.map(({ url, body }) => ({
          path: new URL(url).pathname,
          bytes: body.length,
          gzipBytes: gzipSync(body).length,
        })),
        firstLoadBytes: raw,
        firstLoadGzipBytes: gzipped,
      })}\n`,
    );
  } finally {
    await context.close();
  }
} finally {
  await stop(npmStart);
  await browser.close();
  rmSync(stateDir, { recursive: true, force: true });
}

function studioUrlPrintedBy(child: ChildProcess): Promise<string> {
  return new Promise((resolve, reject) => {
    let stdout = '';
    child.stdout?.setEncoding('utf8').on('data', (chunk: string) => {
      stdout += chunk;
      const url = /^Astromesh Studio: (\S+)/m.exec(stdout)?.[1];
      if (url) resolve(url);
    });
    child.once('exit', (code) => reject(new Error(`npm start exited (${code}) before printing the Studio URL`)));
  });
}

async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.pid === undefined) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  process.kill(-child.pid, 'SIGTERM');
  await exited;
}
