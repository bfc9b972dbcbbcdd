import { type Dirent, readdirSync, readFileSync, realpathSync, statSync } from 'node:fs';
import { dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import { isWithin, type OkfBundle, openOkfBundle } from './okf-bundle.ts';
import { parseOkfConcept, reservedOkfFiles, splitOkfFrontmatter } from './okf-concept.ts';

/** Where a `knowledge.bundle` may live: the agents directory and the runtime's data directory. */
export interface OkfBundleRoots {
  agentsDir: string;
  dataDir: string;
}

/** Bounds a bundle must keep to load: kb_find and the index read every file on each call. */
export const okfBundleLimits = {
  maxFiles: 5_000,
  maxFileBytes: 1024 * 1024,
  /** The check reads every concept while the agent loads; this bounds how long that can hold the daemon. */
  maxTotalBytes: 64 * 1024 * 1024,
  maxDepth: 16,
} as const;

/** A bundle the runtime refuses to load; the message names the file inside it and what is wrong. */
export class OkfBundleLoadError extends Error {
  override name = 'OkfBundleLoadError';
}

/** OKF versions whose bundles we read (upstream reads v0.1 bundles as well as v0.2). */
const okfVersions = new Set(['0.1', '0.2']);

/**
 * Resolves `knowledge.bundle` and checks the whole bundle once, when the agent loads. A relative
 * path is taken from the agents directory, then the data directory, then (upstream's layout, where
 * the agents directory is `config/agents` and bundles sit in `config/knowledge/`) the agents
 * directory's parent, there only inside its `knowledge/` folder. An absolute path must lie in one of
 * those places; symlinks are resolved before that check. Where upstream logs a missing bundle and
 * skips invalid concepts at each call, we refuse the agent: a broken bundle is the author's to fix.
 */
export function loadOkfBundle(raw: string, roots: OkfBundleRoots, clock?: () => Date): OkfBundle {
  const agentsDir = resolve(roots.agentsDir);
  const dataDir = resolve(roots.dataDir);
  const configDir = dirname(agentsDir);
  const allowed = [agentsDir, dataDir, join(configDir, 'knowledge')];
  const bases = [agentsDir, dataDir, configDir];
  const candidates = isAbsolute(raw) ? [resolve(raw)] : bases.map((base) => resolve(base, raw));
  const realAllowed = allowed.map((dir) => realOrSelf(dir));
  const inside = (path: string) =>
    allowed.some((dir) => isWithin(path, dir)) || realAllowed.some((dir) => isWithin(path, dir));
  const places = `the agents directory (${agentsDir}), the data directory (${dataDir}) or ${allowed[2]}`;
  if (!candidates.some(inside)) throw new OkfBundleLoadError(`${raw} is outside ${places}`);
  const found = candidates.filter(inside).find((path) => statSync(path, { throwIfNoEntry: false })?.isDirectory());
  if (found === undefined) throw new OkfBundleLoadError(`${raw} is not a directory in ${places}`);
  const root = realpathSync(found);
  if (!realAllowed.some((dir) => isWithin(root, dir))) {
    throw new OkfBundleLoadError(`${raw} resolves through a symlink to ${root}, outside ${places}`);
  }
  checkOkfBundle(root, raw, clock?.() ?? new Date());
  return openOkfBundle(root, clock);
}

/** Every file of the bundle must be what OKF says it is; throws naming the first that is not. */
function checkOkfBundle(root: string, raw: string, now: Date): void {
  let files = 0;
  let totalBytes = 0;
  const walk = (dir: string, depth: number): void => {
    if (depth > okfBundleLimits.maxDepth) {
      throw new OkfBundleLoadError(`${nameIn(root, dir)}: nested deeper than ${okfBundleLimits.maxDepth} directories`);
    }
    const entries: Dirent[] = readdirSync(dir, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name));
    for (const entry of entries) {
      if (entry.name.startsWith('.')) continue; // hidden files are not part of the bundle, as upstream
      const path = join(dir, entry.name);
      const real = realOrSelf(path);
      if (!isWithin(real, root))
        throw new OkfBundleLoadError(`${nameIn(root, path)}: a symlink that leads outside the bundle`);
      const info = statSync(real, { throwIfNoEntry: false });
      if (info?.isDirectory()) {
        walk(path, depth + 1);
        continue;
      }
      if (!info?.isFile() || !entry.name.endsWith('.md')) continue; // assets beside concepts are allowed
      if (++files > okfBundleLimits.maxFiles) {
        throw new OkfBundleLoadError(`more than ${okfBundleLimits.maxFiles} Markdown files`);
      }
      if (info.size > okfBundleLimits.maxFileBytes) {
        throw new OkfBundleLoadError(
          `${nameIn(root, path)}: ${info.size} bytes, more than ${okfBundleLimits.maxFileBytes}`,
        );
      }
      totalBytes += info.size;
      if (totalBytes > okfBundleLimits.maxTotalBytes) {
        // Checked before the file is read, so an oversized bundle is refused having read at most the bound.
        const mib = okfBundleLimits.maxTotalBytes / (1024 * 1024);
        throw new OkfBundleLoadError(
          `bundle ${raw} holds more than ${mib} MiB (${okfBundleLimits.maxTotalBytes} bytes) of Markdown, the most a bundle may (${nameIn(root, path)} passes it)`,
        );
      }
      const text = readUtf8(root, real, path);
      if (entry.name === 'index.md') checkIndex(root, path, text, dir === root);
      else if (!reservedOkfFiles.has(entry.name)) {
        const id = nameIn(root, path).replace(/\.md$/, '');
        try {
          parseOkfConcept(id, text, now);
        } catch (err) {
          throw new OkfBundleLoadError(
            `${nameIn(root, path)}: ${(err as Error).message.replace(/^invalid concept [^:]*: /, '')}`,
          );
        }
      }
    }
  };
  walk(root, 0);
}

/** Only the root index carries frontmatter (OKF §12: okf_version); a version we do not read is refused. */
function checkIndex(root: string, path: string, text: string, atRoot: boolean): void {
  if (!atRoot || !text.replace(/^\uFEFF/, '').startsWith('---')) return;
  let meta: Record<string, unknown>;
  try {
    meta = splitOkfFrontmatter(text).meta;
  } catch (err) {
    throw new OkfBundleLoadError(`${nameIn(root, path)}: ${(err as Error).message}`);
  }
  const version = meta.okf_version;
  if (version !== undefined && !okfVersions.has(String(version))) {
    throw new OkfBundleLoadError(
      `${nameIn(root, path)}: okf_version ${String(version)} is not one we read (${[...okfVersions].join(', ')})`,
    );
  }
}

function readUtf8(root: string, real: string, path: string): string {
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(readFileSync(real));
  } catch {
    throw new OkfBundleLoadError(`${nameIn(root, path)}: not UTF-8 text`);
  }
}

function nameIn(root: string, path: string): string {
  return relative(root, path).split(sep).join('/') || '.';
}

function realOrSelf(path: string): string {
  try {
    return realpathSync(path);
  } catch {
    return path;
  }
}
