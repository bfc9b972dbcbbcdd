import { load } from 'js-yaml';

/**
 * One concept of an Open Knowledge Format (OKF v0.2) bundle: a Markdown file with YAML
 * frontmatter. Only two things make a concept invalid (OKF §11): frontmatter that does not parse
 * as a mapping, and a missing `type`. Unknown fields travel in `extra`.
 */
export interface OkfConcept {
  /** The path inside the bundle without `.md`, e.g. `policies/refunds`. */
  id: string;
  type: string;
  title: string;
  description: string;
  tags: string[];
  /** Lowercased; `stable` when absent. */
  status: string;
  /** From `verified`: `human-reviewed`, `machine-confirmed` or `unverified`. */
  trust: string;
  stale: boolean;
  staleAfter: Date | undefined;
  body: string;
  extra: Record<string, unknown>;
}

/** A bundle operation failed; the message reaches the model as it is. */
export class OkfBundleError extends Error {
  override name = 'OkfBundleError';
  readonly kind: 'outside' | 'not_found' | 'not_a_concept' | 'not_a_directory' | 'invalid';

  constructor(kind: OkfBundleError['kind'], message: string) {
    super(message);
    this.kind = kind;
  }
}

/** Files that are a directory's index or log, never concepts (OKF §3). */
export const reservedOkfFiles: ReadonlySet<string> = new Set(['index.md', 'log.md']);

const mapped = new Set(['type', 'title', 'description', 'tags', 'status', 'stale_after']);

/** The frontmatter and the body of a concept or index; throws the reason the frontmatter is unusable. */
export function splitOkfFrontmatter(text: string): { meta: Record<string, unknown>; body: string } {
  const lines = text.replace(/^\uFEFF/, '').split(/\r?\n/);
  if (lines[0]?.trim() !== '---') throw new Error('missing frontmatter');
  const end = lines.findIndex((line, index) => index > 0 && line.trim() === '---');
  if (end < 0) throw new Error('unterminated frontmatter');
  let meta: unknown;
  try {
    // No aliases: frontmatter never needs them, and nested ones expand a few bytes into megabytes.
    meta = load(lines.slice(1, end).join('\n'), { maxAliases: 0, maxDepth: 16 });
  } catch (err) {
    throw new Error(`unparseable frontmatter (${err instanceof Error ? err.message.split('\n')[0] : String(err)})`);
  }
  if (meta === null || typeof meta !== 'object' || Array.isArray(meta)) throw new Error('frontmatter is not a mapping');
  return {
    meta: meta as Record<string, unknown>,
    body: lines
      .slice(end + 1)
      .join('\n')
      .replace(/^\n+/, ''),
  };
}

/** Parses one concept file's text; throws OkfBundleError('invalid') naming the concept and the reason. */
export function parseOkfConcept(id: string, text: string, now: Date): OkfConcept {
  let split: ReturnType<typeof splitOkfFrontmatter>;
  try {
    split = splitOkfFrontmatter(text);
  } catch (err) {
    throw new OkfBundleError('invalid', `invalid concept ${id}: ${(err as Error).message}`);
  }
  const { meta, body } = split;
  const type = stringOf(meta.type).trim();
  if (type === '') throw new OkfBundleError('invalid', `invalid concept ${id}: missing type`);
  const staleAfter = instantOf(meta.stale_after);
  return {
    id,
    type,
    title: stringOf(meta.title) || (id.split('/').pop() ?? id),
    description: stringOf(meta.description),
    tags: tagsOf(meta.tags),
    status: (stringOf(meta.status).trim() || 'stable').toLowerCase(),
    trust: trustOf(meta.verified),
    stale: staleAfter !== undefined && now.getTime() >= staleAfter.getTime(),
    staleAfter,
    body,
    extra: JSON.parse(
      JSON.stringify(Object.fromEntries(Object.entries(meta).filter(([key]) => !mapped.has(key)))),
    ) as Record<string, unknown>,
  };
}

/** The human-readable trust and freshness warnings upstream attaches to a concept it reads. */
export function okfWarnings(concept: OkfConcept): string[] {
  const warnings: string[] = [];
  if (concept.status === 'deprecated') warnings.push('DEPRECATED: kept for history; do not use for new work.');
  if (concept.stale && concept.staleAfter) {
    warnings.push(`STALE since ${concept.staleAfter.toISOString()}: may no longer be accurate.`);
  }
  if (concept.status === 'draft') warnings.push('DRAFT: not reviewed; may be incomplete.');
  return warnings;
}

/** What kb_find and the index show of a concept. */
export function okfSummary(concept: OkfConcept) {
  const { id, type, title, description, status, trust, stale } = concept;
  return { id, type, title, description, status, trust, stale };
}

function stringOf(value: unknown): string {
  if (value === null || value === undefined) return '';
  return value instanceof Date ? value.toISOString() : String(value);
}

function tagsOf(value: unknown): string[] {
  if (Array.isArray(value)) return value.filter((tag) => tag !== null && tag !== undefined).map(String);
  if (typeof value === 'string' && value.trim() !== '') return [value.trim()];
  return [];
}

/** A bare `verified` mapping counts as a list of one (OKF §5.2); any `human:` actor makes it human-reviewed. */
function trustOf(verified: unknown): string {
  const events = Array.isArray(verified) ? verified : verified && typeof verified === 'object' ? [verified] : [];
  const actors = events
    .map((event) => (event && typeof event === 'object' ? (event as Record<string, unknown>).by : undefined))
    .filter((by) => by !== undefined && by !== null && by !== '')
    .map(String);
  if (actors.length === 0) return 'unverified';
  return actors.some((actor) => actor.startsWith('human:')) ? 'human-reviewed' : 'machine-confirmed';
}

/** `stale_after` as an instant; a date without a zone is UTC; an unreadable one is ignored, as upstream does. */
function instantOf(value: unknown): Date | undefined {
  if (value === null || value === undefined || value === '') return undefined;
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? undefined : value;
  const text = String(value).trim();
  const zoned = /([zZ]|[+-]\d\d:?\d\d)$/.test(text) || /^\d{4}-\d\d-\d\d$/.test(text) ? text : `${text}Z`;
  const moment = new Date(zoned);
  return Number.isNaN(moment.getTime()) ? undefined : moment;
}
