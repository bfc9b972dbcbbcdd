import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { arch } from 'node:os';
import { dirname, join } from 'node:path';
import { installRequirementsVirtualenv } from './install-requirements-virtualenv.ts';
import { cacheRoot } from './locate-test-binaries.ts';
import { runInstallStep as run } from './run-install-step.ts';

// pgserver's wheel bundles PostgreSQL 16.2 with the pgvector 0.6.2 extension built in; Debian's
// PostgreSQL here has no pgvector and the internet beyond the package registries is closed.
export const pgserverVersion = '0.1.4';
// The Chroma server the chromadb backend's tests run (`chroma run`), with every package it pulls
// in pinned in chroma-requirements.txt.
export const chromaVersion = '1.5.9';
export const chromaRequirementsFile = join(import.meta.dirname, 'chroma-requirements.txt');

export interface PgvectorInstall {
  /** PostgreSQL's bin/, lib/ and share/ (initdb, postgres; vector.so and vector.control). */
  pgDir: string;
  /** pip's --target folder: pgDir and the libraries its programs load (pgserver.libs/). */
  packageDir: string;
  /** pgDir within packageDir. */
  pgDirInPackage: string;
  completeMarker: string;
}

export interface ChromaInstall {
  venvDir: string;
  /** The `chroma` command inside the virtualenv. */
  executable: string;
  completeMarker: string;
}

/** Where the pgvector tests' PostgreSQL lives: pgserver's wheel, unpacked in the test cache. */
export function locatePgvectorPostgres(env: NodeJS.ProcessEnv = process.env): PgvectorInstall {
  const dir = join(cacheRoot(env), 'pgvector', `pgserver-${pgserverVersion}`);
  const pgDirInPackage = join('pgserver', 'pginstall');
  return {
    pgDir: join(dir, pgDirInPackage),
    packageDir: dir,
    pgDirInPackage,
    completeMarker: join(dir, '.astromesh-complete'),
  };
}

/**
 * Where the chromadb tests' Chroma server lives: a virtualenv in the test cache, named for the
 * release and a digest of every pin, so changing a pin installs afresh.
 */
export function locateChroma(env: NodeJS.ProcessEnv = process.env): ChromaInstall {
  const requirements = readFileSync(chromaRequirementsFile, 'utf8');
  if (!requirements.includes(`\nchromadb==${chromaVersion}\n`)) {
    throw new Error(`${chromaRequirementsFile} does not pin chromadb==${chromaVersion}`);
  }
  const digest = createHash('sha256').update(requirements).digest('hex').slice(0, 12);
  const venvDir = join(cacheRoot(env), 'chroma', `${chromaVersion}-${digest}`);
  return {
    venvDir,
    executable: join(venvDir, 'bin', 'chroma'),
    completeMarker: join(venvDir, '.astromesh-complete'),
  };
}

/**
 * Installs PyPI's pgserver wheel (no Python needed to run it: only its PostgreSQL) into the test
 * cache; returns at once when it is there. The wheel is built for CPython 3.11 on x86-64 Linux, so
 * pip is told that target instead of depending on the local Python's version.
 */
export async function installPgvectorPostgres(log: (message: string) => void): Promise<void> {
  const install = locatePgvectorPostgres();
  if (existsSync(install.completeMarker)) return;
  if (arch() !== 'x64') throw new Error(`pgserver ${pgserverVersion} ships PostgreSQL for x86-64 only, not ${arch()}`);
  const dir = install.packageDir;
  const staging = `${dir}.partial`;
  log(`installing PostgreSQL 16 with pgvector (PyPI pgserver ${pgserverVersion}) into ${dir} (about 10 s)`);
  rmSync(staging, { recursive: true, force: true });
  await run('python3', [
    '-m',
    'pip',
    'install',
    '--no-input',
    '--disable-pip-version-check',
    '--no-deps',
    '--only-binary=:all:',
    '--python-version',
    '3.11',
    '--platform',
    'manylinux2014_x86_64',
    '--target',
    staging,
    `pgserver==${pgserverVersion}`,
  ]);
  const control = readFileSync(
    join(staging, 'pgserver', 'pginstall', 'share', 'postgresql', 'extension', 'vector.control'),
    'utf8',
  );
  const version = await run(join(staging, 'pgserver', 'pginstall', 'bin', 'postgres'), ['--version']);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dirname(dir), { recursive: true });
  renameSync(staging, dir);
  writeFileSync(
    install.completeMarker,
    `${version.trim()}, pgvector ${/default_version = '([^']+)'/.exec(control)?.[1]}\n`,
  );
}

/** Installs the pinned chromadb into a cached virtualenv. */
export async function installChroma(log: (message: string) => void): Promise<void> {
  const install = locateChroma();
  if (existsSync(install.completeMarker)) return;
  log(`installing Chroma ${chromaVersion} from PyPI into ${install.venvDir} (about 1 min, 450 MB)`);
  await installRequirementsVirtualenv({
    python: 'python3',
    venvDir: install.venvDir,
    requirementsFile: chromaRequirementsFile,
  });
  const reported = await run(join(install.venvDir, 'bin', 'python'), [
    '-c',
    'import importlib.metadata as m; print(m.version("chromadb"))',
  ]);
  if (reported.trim() !== chromaVersion) {
    throw new Error(`the installed chromadb reports '${reported.trim()}', not ${chromaVersion}`);
  }
  writeFileSync(install.completeMarker, `chromadb ${reported.trim()}\n`);
}
