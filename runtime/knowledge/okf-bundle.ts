import { readdir, readFile, realpath, stat } from 'node:fs/promises';
import { basename, isAbsolute, join, relative, sep } from 'node:path';
import {
  OkfBundleError,
  type OkfConcept,
  okfSummary,
  okfWarnings,
  parseOkfConcept,
  reservedOkfFiles,
  splitOkfFrontmatter,
} from './okf-concept.ts';

/** kb_find returns at most this many concepts, whatever the model asks (upstream's bound). */
export const maxOkfFindLimit = 100;

export interface OkfFindQuery {
  text?: string;
  type?: string;
  tags?: string[];
  includeDeprecated?: boolean;
  limit?: number;
}

/**
 * A bundle directory, read-only. Every call reads the files again, as upstream does, so an edit to
 * the bundle is seen on the next tool call. Every path from the model is resolved (symlinks
 * included) before it is checked against the bundle's root.
 */
export interface OkfBundle {
  /** The real path of the bundle's directory. */
  root: string;
  /** A directory's own index.md without its frontmatter, or one written in the OKF §8 form. */
  index(path?: string): Promise<string>;
  read(conceptId: string): Promise<Record<string, unknown>>;
  find(query: OkfFindQuery): Promise<{ results: ReturnType<typeof okfSummary>[]; skipped_invalid: number }>;
}

// Markdown links, not images; the target is the first token inside the parentheses.
const markdownLink = /(?<!!)\[[^\]]*\]\(\s*([^)\s]+)[^)]*\)/g;
const urlScheme = /^[a-zA-Z][a-zA-Z0-9+.-]*:/;

export function openOkfBundle(realRoot: string, clock: () => Date = () => new Date()): OkfBundle {
  const root = realRoot;

  function idOf(file: string): string {
    const rel = relative(root, file).split(sep).join('/');
    return rel === '' ? '/' : rel.replace(/\.md$/, '');
  }

  async function inside(rel: string, raw: string): Promise<string> {
    const lexical = join(root, rel);
    if (!isWithin(lexical, root)) throw new OkfBundleError('outside', `outside bundle: ${echo(raw)}`);
    let real: string;
    try {
      real = await realpath(lexical);
    } catch {
      return lexical; // missing: judged by where it would be, which is inside
    }
    if (!isWithin(real, root)) throw new OkfBundleError('outside', `outside bundle: ${echo(raw)}`);
    return real;
  }

  async function conceptFiles(dir = root, found: string[] = []): Promise<string[]> {
    for (const entry of await readdir(dir, { withFileTypes: true })) {
      if (entry.name.startsWith('.')) continue;
      const path = join(dir, entry.name);
      if (entry.isDirectory()) await conceptFiles(path, found);
      else if (entry.isFile() && entry.name.endsWith('.md') && !reservedOkfFiles.has(entry.name)) found.push(path);
    }
    return found.sort((a, b) => idOf(a).localeCompare(idOf(b)));
  }

  async function concept(file: string): Promise<OkfConcept> {
    return parseOkfConcept(idOf(file), await readFile(file, 'utf8'), clock());
  }

  async function notFound(id: string): Promise<OkfBundleError> {
    const close = closest(
      id,
      (await conceptFiles()).map((file) => idOf(file)),
    );
    const hint = close.length > 0 ? ` (did you mean: ${close.join(', ')}?)` : '';
    return new OkfBundleError('not_found', `concept not found: ${id}${hint}`);
  }

  async function links(file: string, body: string): Promise<Record<string, unknown>[]> {
    const out: Record<string, unknown>[] = [];
    const seen = new Set<string>();
    for (const match of body.matchAll(markdownLink)) {
      const target = match[1] ?? '';
      let item: Record<string, unknown>;
      let key: string;
      if (urlScheme.test(target)) {
        item = { url: target, external: true };
        key = target;
      } else {
        const raw = target.split('#', 1)[0] ?? '';
        if (raw === '') continue; // an anchor in the same concept
        const base = raw.startsWith('/') ? root : join(file, '..');
        const dest = join(base, raw.replace(/^\/+/, ''));
        if (!isWithin(dest, root)) continue; // links out of the bundle are dropped
        const info = await stat(dest).catch(() => undefined);
        if (raw.endsWith('/') || info?.isDirectory() || dest.endsWith(`${sep}index.md`)) {
          const folder = dest.endsWith(`${sep}index.md`) ? join(dest, '..') : dest;
          const folderInfo = await stat(folder).catch(() => undefined);
          item = { id: idOf(folder), dir: true, exists: folderInfo?.isDirectory() ?? false };
        } else {
          item = { id: idOf(dest), exists: info?.isFile() ?? false };
        }
        key = String(item.id);
      }
      if (seen.has(key)) continue;
      seen.add(key);
      out.push(item);
    }
    return out;
  }

  return {
    root,

    async index(path = '/') {
      const folder = await inside(clean(path), path);
      const info = await stat(folder).catch(() => undefined);
      if (!info?.isDirectory()) throw new OkfBundleError('not_a_directory', `not a directory: ${echo(path)}`);
      const own = join(folder, 'index.md');
      const ownInfo = await stat(own).catch(() => undefined);
      if (ownInfo?.isFile() && isWithin(await realpath(own), root)) {
        const text = await readFile(own, 'utf8');
        try {
          return splitOkfFrontmatter(text).body;
        } catch {
          return text; // an index without frontmatter is shown as it is
        }
      }
      return synthesizedIndex(folder);
    },

    async read(conceptId) {
      let rel = clean(conceptId);
      const exists = await stat(join(root, rel)).catch(() => undefined);
      // `.md` is added before resolving, so a symlink `x.md` is checked as itself.
      if (rel !== '' && !rel.endsWith('.md') && !exists) rel += '.md';
      const file = await inside(rel, conceptId);
      const id = idOf(file);
      const info = await stat(file).catch(() => undefined);
      if (!info) throw await notFound(id);
      if (info.isDirectory() || !file.endsWith('.md') || reservedOkfFiles.has(basename(file))) {
        throw new OkfBundleError('not_a_concept', `not a concept: ${id}`);
      }
      const read = await concept(file);
      return {
        ...okfSummary(read),
        tags: read.tags,
        warnings: okfWarnings(read),
        extra: read.extra,
        body: read.body,
        links: await links(file, read.body),
      };
    },

    async find(query) {
      const limit = Math.max(1, Math.min(Math.trunc(query.limit ?? 20) || 20, maxOkfFindLimit));
      const wantTags = (query.tags ?? []).map((tag) => tag.toLowerCase());
      const needle = query.text ? query.text.toLowerCase() : undefined;
      const headerHits: OkfConcept[] = [];
      const bodyHits: OkfConcept[] = [];
      let skipped = 0;
      for (const file of await conceptFiles()) {
        let found: OkfConcept;
        try {
          found = await concept(file);
        } catch {
          skipped++;
          continue;
        }
        if (found.status === 'deprecated' && !query.includeDeprecated) continue;
        if (query.type && found.type.toLowerCase() !== query.type.toLowerCase()) continue;
        const tags = new Set(found.tags.map((tag) => tag.toLowerCase()));
        if (!wantTags.every((tag) => tags.has(tag))) continue;
        const header = [found.title, found.description, ...found.tags].join(' ').toLowerCase();
        if (needle === undefined || header.includes(needle)) headerHits.push(found);
        else if (found.body.toLowerCase().includes(needle)) bodyHits.push(found);
      }
      // Matches in title, description or tags rank before matches in the body only.
      return { results: [...headerHits, ...bodyHits].slice(0, limit).map(okfSummary), skipped_invalid: skipped };
    },
  };

  async function synthesizedIndex(folder: string): Promise<string> {
    const lines: string[] = [];
    const entries = (await readdir(folder, { withFileTypes: true })).filter((entry) => !entry.name.startsWith('.'));
    const subdirs = entries
      .filter((entry) => entry.isDirectory())
      .map((entry) => entry.name)
      .sort();
    if (subdirs.length > 0) {
      lines.push('# Subdirectories', '', ...subdirs.map((name) => `* [${name}](/${idOf(join(folder, name))}/)`));
    }
    const concepts: OkfConcept[] = [];
    let skipped = 0;
    for (const entry of entries) {
      if (!entry.isFile() || !entry.name.endsWith('.md') || reservedOkfFiles.has(entry.name)) continue;
      try {
        concepts.push(await concept(join(folder, entry.name)));
      } catch {
        skipped++;
      }
    }
    if (concepts.length > 0) {
      if (lines.length > 0) lines.push('');
      lines.push('# Concepts', '', ...concepts.sort((a, b) => a.id.localeCompare(b.id)).map(indexLine));
    }
    if (skipped > 0) lines.push('', `(${skipped} concept(s) skipped: invalid frontmatter)`);
    return lines.length > 0 ? `${lines.join('\n')}\n` : '(empty directory)\n';
  }
}

function indexLine(concept: OkfConcept): string {
  const flags = [concept.type];
  if (concept.status !== 'stable') flags.push(concept.status);
  if (concept.stale) flags.push('stale');
  const description = concept.description ? ` - ${concept.description}` : '';
  return `* [${concept.title}](/${concept.id})${description} [${flags.join(', ')}]`;
}

/** What the model sends, without a `#fragment` and a leading `/`. */
function clean(raw: string): string {
  return (String(raw ?? '').split('#', 1)[0] ?? '').trim().replace(/^\/+/, '');
}

function echo(raw: string): string {
  return raw.length <= 200 ? raw : `${raw.slice(0, 200)}...`;
}

export function isWithin(candidate: string, root: string): boolean {
  const rel = relative(root, candidate);
  return rel === '' || (rel !== '..' && !rel.startsWith(`..${sep}`) && !isAbsolute(rel));
}

/** Up to three ids close to `id` (edit distance within 40% of the longer), closest first. */
function closest(id: string, ids: string[]): string[] {
  return ids
    .map((candidate) => ({ candidate, distance: editDistance(id, candidate) }))
    .filter(({ candidate, distance }) => distance <= Math.max(id.length, candidate.length) * 0.4)
    .sort((a, b) => a.distance - b.distance || a.candidate.localeCompare(b.candidate))
    .slice(0, 3)
    .map(({ candidate }) => candidate);
}

function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, index) => index);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      current[j] = Math.min(
        (previous[j] ?? 0) + 1,
        (current[j - 1] ?? 0) + 1,
        (previous[j - 1] ?? 0) + (a[i - 1] === b[j - 1] ? 0 : 1),
      );
    }
    previous = current;
  }
  return previous[b.length] ?? 0;
}
