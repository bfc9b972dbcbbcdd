import { createHash } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually } from '../support/eventually.ts';
import { freePort } from '../support/free-port.ts';
import { locateImages } from './locate-images.ts';
import { readArchiveConfig } from './read-archive-config.ts';
import { startTestContainerd, type TestContainerd } from './start-test-containerd.ts';

// The image `npm run image` built (the test script runs it first), as containerd runs it.
const repoRoot = resolve(import.meta.dirname, '..', '..');
const { product } = locateImages();
const sha256 = (file: string) => createHash('sha256').update(readFileSync(file)).digest('hex');

describe('the product image (npm run image)', () => {
  let containerd: TestContainerd;
  let scratch: string;
  let rootfs: string;

  beforeAll(async () => {
    if (!existsSync(product.archive)) throw new Error(`${product.archive} is missing: run npm run image`);
    scratch = mkdtempSync(join(tmpdir(), 'astromesh-product-image-'));
    containerd = await startTestContainerd();
    await containerd.importArchive(product.archive);
    rootfs = join(scratch, 'rootfs');
    mkdirSync(rootfs);
    await containerd.mountImage(product.reference, rootfs);
  }, 180_000);

  afterAll(async () => {
    if (rootfs) await containerd?.unmountImage(rootfs).catch(() => undefined);
    await containerd?.stop();
    if (scratch) rmSync(scratch, { recursive: true, force: true });
  }, 60_000);

  it('is named for the version in package.json, the name the chart is given', () => {
    const { version } = JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as { version: string };

    const { repoTags } = readArchiveConfig(product.archive);

    expect(product.reference).toBe(`localhost/astromesh-cloud:${version}`);
    expect(repoTags).toEqual([product.reference]);
  });

  it('runs astromeshd from /app as the numeric user 10001, with no CMD for the Deployment’s args to replace', () => {
    const { config } = readArchiveConfig(product.archive);

    expect(config.User).toBe('10001:10001');
    expect(config.Entrypoint).toEqual([
      'node',
      '--max-old-space-size-percentage=50',
      '--max-semi-space-size=8',
      'runtime/main.ts',
    ]);
    expect(config.Cmd ?? null).toBeNull();
    expect(config.WorkingDir).toBe('/app');
    expect(config.Env).toEqual(expect.arrayContaining(['NODE_ENV=production', 'HOME=/tmp']));
  });

  it('carries the Dockerfile’s labels and nothing of the stand-in base', () => {
    const { config } = readArchiveConfig(product.archive);

    expect(config.Labels).toEqual({
      'org.opencontainers.image.title': 'astromesh-cloud',
      'org.opencontainers.image.description': 'Astromesh Cloud: astromeshd (default), the Cloud API and the operator',
      'org.opencontainers.image.licenses': 'Apache-2.0',
    });
  });

  it('holds exactly the Node binary the project pins, and no npm, npx or corepack', () => {
    const pinned = join(repoRoot, 'node_modules', 'node', 'bin', 'node');

    const packageManagers = ['usr/local/bin/npm', 'usr/local/bin/npx', 'usr/local/bin/corepack'].filter((path) =>
      existsSync(join(rootfs, path)),
    );

    expect(sha256(join(rootfs, 'usr/local/bin/node'))).toBe(sha256(pinned));
    expect(packageManagers).toEqual([]);
    expect(existsSync(join(rootfs, 'usr/local/lib/node_modules'))).toBe(false);
  });

  it('holds the Studio build the Cloud API serves at /studio, exactly as built here, and no Studio sources', () => {
    const built = join(repoRoot, 'studio/dist');
    const shipped = join(rootfs, 'app/studio/dist');

    const files = (dir: string) => findFiles(dir, () => true).sort();

    expect(files(shipped)).toEqual(files(built));
    expect(files(shipped)).toContain('index.html');
    for (const file of files(built)) {
      if (statSync(join(built, file)).isDirectory()) continue;
      expect(sha256(join(shipped, file)), file).toBe(sha256(join(built, file)));
    }
    expect(existsSync(join(rootfs, 'app/studio/src'))).toBe(false);
  });

  it('keeps no npm configuration, npm cache or CA bundle from the build (not even an empty mount point)', () => {
    const found = findFiles(rootfs, (path) =>
      /(^|\/)\.?npmrc$|(^|\/)ca-certificates\.crt$|^root\/\.npm(\/|$)|^root\/\.ca-certificates/.test(path),
    );

    expect(found).toEqual([]);
    expect(readdirSync(join(rootfs, 'root')).sort()).toEqual(['.bashrc', '.profile']);
  });

  it('starts astromeshd as uid 10001 on a read-only root filesystem, answering /v1/health on loopback', async () => {
    const agentsDir = join(scratch, 'agents');
    const tmpDir = join(scratch, 'tmp');
    mkdirSync(agentsDir);
    mkdirSync(tmpDir);
    chmodSync(tmpDir, 0o1777);
    const port = await freePort();
    const { config } = readArchiveConfig(product.archive);

    await containerd.runDetached({
      id: 'astromeshd',
      reference: product.reference,
      // The entrypoint as the image gives it, with the args a runtime Deployment adds.
      args: [...(config.Entrypoint ?? []), '--agents-dir', '/agents', '--host', '127.0.0.1', '--port', String(port)],
      mounts: [
        { source: agentsDir, destination: '/agents', readOnly: true },
        { source: tmpDir, destination: '/tmp' },
      ],
      network: { host: true },
      logFile: join(scratch, 'astromeshd.log'),
    });
    const health = await eventually(
      async () => {
        const response = await fetch(`http://127.0.0.1:${port}/v1/health`);
        expect(response.status).toBe(200);
        return response;
      },
      { timeoutMs: 30_000 },
    );
    const status = readFileSync(`/proc/${await containerd.taskPid('astromeshd')}/status`, 'utf8');
    const write = await containerd.exec('astromeshd', ['node', '-e', "require('fs').writeFileSync('/app/x', 'x')"]);

    expect(health.headers.get('content-type')).toContain('application/json');
    expect(status).toMatch(/^Uid:\s+10001\s+10001\s+10001\s+10001$/m);
    expect(status).toMatch(/^Gid:\s+10001\s+10001\s+10001\s+10001$/m);
    expect(write.code).not.toBe(0);
    expect(write.stderr).toContain('EROFS');
    await expectCompileCacheUsed(['node', ...(config.Entrypoint ?? []).slice(1), '--help']);
    expect(await containerd.stopTask('astromeshd', 'SIGTERM')).toBe(0);
  }, 90_000);

  /**
   * Runs `args` in the running container with Node's compile-cache debugging on: every module of
   * /app it loads comes from the image's prebuilt cache (none compiled afresh), and on the
   * read-only root filesystem Node warns of nothing.
   */
  async function expectCompileCacheUsed(args: string[]): Promise<void> {
    const run = await containerd.exec('astromeshd', args, { NODE_DEBUG_NATIVE: 'COMPILE_CACHE' });
    const lines = run.stderr.split('\n').filter(Boolean);
    const accepted = lines.filter((line) => /V8 code cache for \w+ (file:\/\/)?\/app\/.* was accepted/.test(line));

    expect(run.code).toBe(0);
    // Node writes each cache message in several pieces, which other messages can split across lines
    // ("success" alone, "[checksums]... success" on a line of its own): so no line-by-line grammar,
    // but no warning of Node's ("(node:N) …Warning") and no refused write on the read-only root.
    expect(lines.filter((line) => /\(node:\d+\)|EROFS|EACCES/.test(line))).toEqual([]);
    expect(
      lines.filter((line) => / was not initialized| was rejected|no such file|denied|mismatch|Cannot/i.test(line)),
    ).toEqual([]);
    expect(accepted.some((line) => line.includes('file:///app/runtime/start-runtime.ts'))).toBe(true);
    expect(accepted.length).toBeGreaterThan(500);
  }
});

/** Paths below `root` (relative, `/`-separated) that `matches`, outside /proc, /sys and /dev. */
function findFiles(root: string, matches: (path: string) => boolean): string[] {
  const found: string[] = [];
  for (const entry of readdirSync(root, { recursive: true, withFileTypes: true })) {
    const path = relative(root, join(entry.parentPath, entry.name));
    if (/^(proc|sys|dev)(\/|$)/.test(path)) continue;
    if (matches(path)) found.push(path);
  }
  return found;
}
