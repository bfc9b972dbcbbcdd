import { createSafeTemplateEngine } from '../config/safe-template-engine.ts';

// An agent tool's `context_transform`, as upstream evaluates it (core/tools.py): a dict literal
// over `data`, the arguments the calling model gave the tool, e.g.
// `{score: data.score, lead: {name: data.name}}`. Its value is the called agent's template
// context, the variables its prompts render; the called agent sees nothing else of the caller's
// run. Upstream evaluates it as a Jinja expression after quoting bare keys; here the dict and
// list literals are read by this file and every other value is a Liquid expression (paths,
// literals, filters: `data.name | upcase`), rendered in the same sandbox as the prompts.

const templates = createSafeTemplateEngine();
const maxTransformDepth = 8;

export class ContextTransformError extends Error {
  override name = 'ContextTransformError';
}

/** The transform's value for these arguments: always a JSON object, or a ContextTransformError. */
export async function evaluateContextTransform(
  transform: string,
  data: Record<string, unknown>,
): Promise<Record<string, unknown>> {
  const value = await evaluate(transform.trim(), { data }, 0);
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new ContextTransformError('it must be a mapping, e.g. {score: data.score}');
  }
  return value as Record<string, unknown>;
}

/** Why a transform cannot be read, or undefined: checked at load, as upstream would fail each call. */
export function findContextTransformProblem(transform: string): string | undefined {
  try {
    parse(transform.trim(), 0);
    return undefined;
  } catch (err) {
    return err instanceof Error ? err.message : String(err);
  }
}

async function evaluate(text: string, scope: Record<string, unknown>, depth: number): Promise<unknown> {
  const node = parse(text, depth);
  if (node.kind === 'dict') {
    const entries: [string, unknown][] = [];
    for (const [key, child] of node.entries) entries.push([key, await evaluate(child, scope, depth + 1)]);
    return Object.fromEntries(entries);
  }
  if (node.kind === 'list') {
    const items: unknown[] = [];
    for (const child of node.items) items.push(await evaluate(child, scope, depth + 1));
    return items;
  }
  const rendered = await templates.parseAndRender(`{{ ${node.expression} | json }}`, scope);
  // Liquid renders a missing value as nothing; Jinja's sandbox gives Undefined, which tojson refuses.
  if (rendered.trim() === '') return null;
  try {
    return JSON.parse(rendered);
  } catch {
    throw new ContextTransformError(`'${node.expression}' has no JSON value`);
  }
}

type Node =
  | { kind: 'dict'; entries: [string, string][] }
  | { kind: 'list'; items: string[] }
  | { kind: 'expression'; expression: string };

function parse(text: string, depth: number): Node {
  if (depth > maxTransformDepth) throw new ContextTransformError(`nested more than ${maxTransformDepth} levels`);
  if (text === '') throw new ContextTransformError('a value is missing');
  if (text.startsWith('{') && text.endsWith('}')) {
    const entries = partsOf(text).map((part): [string, string] => {
      const [key, value] = splitTopLevel(part, ':', 2);
      if (value === undefined) throw new ContextTransformError(`'${part.trim()}' is not key: value`);
      const name = (key ?? '').trim().replace(/^(['"])(.*)\1$/, '$2');
      if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) throw new ContextTransformError(`'${name}' is not a key name`);
      parse(value.trim(), depth + 1);
      return [name, value.trim()];
    });
    return { kind: 'dict', entries };
  }
  if (text.startsWith('[') && text.endsWith(']')) {
    const items = partsOf(text).map((part) => part.trim());
    for (const item of items) parse(item, depth + 1);
    return { kind: 'list', items };
  }
  try {
    templates.parse(`{{ ${text} | json }}`);
  } catch (err) {
    throw new ContextTransformError(`'${text}' is not an expression: ${err instanceof Error ? err.message : err}`);
  }
  return { kind: 'expression', expression: text };
}

/** The comma-separated parts between a literal's brackets; none for `{}` and `[]`. */
function partsOf(literal: string): string[] {
  const inner = literal.slice(1, -1);
  return inner.trim() === '' ? [] : splitTopLevel(inner, ',');
}

/** Splits on `separator` outside quotes and brackets; a trailing empty part (`{a: 1,}`) is dropped. */
function splitTopLevel(text: string, separator: string, limit = Number.POSITIVE_INFINITY): string[] {
  const parts: string[] = [];
  let depth = 0;
  let quote: string | undefined;
  let start = 0;
  for (let index = 0; index < text.length; index++) {
    const char = text[index];
    if (quote) {
      if (char === '\\') index++;
      else if (char === quote) quote = undefined;
    } else if (char === '"' || char === "'") quote = char;
    else if (char === '{' || char === '[' || char === '(') depth++;
    else if (char === '}' || char === ']' || char === ')') depth--;
    else if (char === separator && depth === 0 && parts.length < limit - 1) {
      parts.push(text.slice(start, index));
      start = index + 1;
    }
  }
  if (quote || depth !== 0) throw new ContextTransformError('unbalanced quotes or brackets');
  const last = text.slice(start);
  if (last.trim() !== '' || parts.length === 0) parts.push(last);
  return parts;
}
