import type { ToolResult } from '../../tools/tool-types.ts';
import { glyphLimits } from './compile-glyph.ts';
import { type GlyphCallRecord, GlyphExecutionError } from './glyph-errors.ts';
import type { Expression, Stage, Statement } from './glyph-syntax.ts';

/** Runs one tool for a program; the pattern routes it through the run's StepRunner. */
export type GlyphInvoke = (tool: string, input: Record<string, unknown>) => Promise<ToolResult>;

/** What the statements of one run share: bound names, the tool calls made so far. */
export interface GlyphRunState {
  invoke: GlyphInvoke;
  names: Map<string, unknown>;
  calls: GlyphCallRecord[];
  /** Set once the run has failed or was cancelled: no further tool call starts. */
  stopped: () => boolean;
}

/** An element's fields, in scope while a stage's arguments are evaluated for it. */
type ElementScope = Record<string, unknown> | undefined;

export function failure(state: GlyphRunState, message: string): GlyphExecutionError {
  return new GlyphExecutionError(message, { calls: [...state.calls], bindings: Object.fromEntries(state.names) });
}

/** Runs one statement (the body of an `if` in order); returns the value of a `return`. */
export async function runStatement(statement: Statement, state: GlyphRunState): Promise<unknown> {
  switch (statement.kind) {
    case 'assign':
      state.names.set(statement.target, await evaluate(statement.value, state, undefined));
      return undefined;
    case 'expression':
      await evaluate(statement.value, state, undefined);
      return undefined;
    case 'return':
      return evaluate(statement.value, state, undefined);
    case 'if': {
      const body = truthy(await evaluate(statement.test, state, undefined)) ? statement.then : statement.otherwise;
      for (const child of body) await runStatement(child, state);
      return undefined;
    }
  }
}

export async function evaluate(expression: Expression, state: GlyphRunState, element: ElementScope): Promise<unknown> {
  const recurse = (inner: Expression) => evaluate(inner, state, element);
  switch (expression.kind) {
    case 'literal':
      return expression.value;
    case 'name':
      if (element !== undefined && Object.hasOwn(element, expression.name)) return element[expression.name];
      return state.names.has(expression.name) ? state.names.get(expression.name) : null;
    case 'field':
      return fieldOf(await recurse(expression.target), expression.field);
    case 'list':
      return Promise.all(expression.items.map(recurse));
    case 'record': {
      // Entries are evaluated together, so two calls written in one record run in parallel.
      const values = await Promise.all(expression.entries.map((entry) => recurse(entry.value)));
      return Object.fromEntries(expression.entries.map((entry, index) => [entry.key, values[index]]));
    }
    case 'compare':
      return compare(expression.operator, await recurse(expression.left), await recurse(expression.right));
    case 'logic': {
      const left = await recurse(expression.left);
      if (expression.operator === 'and') return truthy(left) ? recurse(expression.right) : left;
      return truthy(left) ? left : recurse(expression.right);
    }
    case 'not':
      return !truthy(await recurse(expression.operand));
    case 'call': {
      const values = await Promise.all(expression.args.map((arg) => recurse(arg.value)));
      const input = Object.fromEntries(expression.args.map((arg, index) => [arg.name, values[index]]));
      return call(expression.tool, input, state, expression.line);
    }
    case 'pipe': {
      let value = await recurse(expression.source);
      for (const stage of expression.stages) value = await runStage(stage, value, state, element);
      return value;
    }
  }
}

async function call(tool: string, input: Record<string, unknown>, state: GlyphRunState, line: number) {
  if (state.stopped()) throw failure(state, `${tool} (line ${line}) was not started: the run had stopped`);
  if (state.calls.length >= glyphLimits.callsPerRun) {
    throw failure(state, `${tool} (line ${line}): a run may make at most ${glyphLimits.callsPerRun} tool calls`);
  }
  const record: GlyphCallRecord = { tool, input, output: undefined, success: false };
  state.calls.push(record);
  const result = await state.invoke(tool, input);
  record.success = result.success;
  record.output = result.success ? result.data : { error: result.error };
  if (!result.success) {
    throw failure(state, `${tool} (line ${line}) failed: ${result.error.code}: ${result.error.message}`);
  }
  return result.data;
}

async function runStage(stage: Stage, value: unknown, state: GlyphRunState, outer: ElementScope): Promise<unknown> {
  if (value === null) value = [];
  if (!Array.isArray(value)) {
    throw failure(state, `line ${stage.line}: ${stage.name} needs a list, got ${describe(value)}`);
  }
  const scopeOf = (item: unknown): ElementScope => ({
    ...outer,
    ...(item !== null && typeof item === 'object' && !Array.isArray(item) ? (item as Record<string, unknown>) : {}),
  });
  const forEach = (expression: Expression) =>
    Promise.all(value.map((item) => evaluate(expression, state, scopeOf(item))));
  if (stage.name === 'where') {
    const verdicts = await Promise.all(stage.positional.map(forEach));
    return value.filter((_, index) => verdicts.every((verdict) => truthy(verdict[index])));
  }
  if (stage.name === 'map') return forEach(stage.positional[0] as Expression);
  // top(n, by=…, asc=…): highest first unless asc; values that cannot be compared sort last.
  const count = await evaluate(stage.positional[0] as Expression, state, outer);
  if (typeof count !== 'number' || !Number.isInteger(count) || count < 0) {
    throw failure(state, `line ${stage.line}: top needs a whole number of elements, got ${describe(count)}`);
  }
  const named = Object.fromEntries(stage.named.map((arg) => [arg.name, arg.value]));
  const keys = await forEach(named.by as Expression);
  const ascending = named.asc ? truthy(await evaluate(named.asc, state, outer)) : false;
  const order = value.map((_, index) => index);
  order.sort((a, b) => {
    const [x, y] = [keys[a], keys[b]];
    const xOk = typeof x === 'number' || typeof x === 'string';
    const yOk = typeof y === 'number' || typeof y === 'string';
    if (!xOk || !yOk) return xOk ? -1 : yOk ? 1 : 0;
    const cmp = x < y ? -1 : x > y ? 1 : 0;
    return ascending ? cmp : -cmp;
  });
  return order.slice(0, count).map((index) => value[index]);
}

/** Field access. A list has .empty, .count, .first and .last; a missing field is null, as upstream. */
function fieldOf(value: unknown, field: string): unknown {
  if (Array.isArray(value)) {
    if (field === 'empty') return value.length === 0;
    if (field === 'count') return value.length;
    if (field === 'first') return value[0] ?? null;
    if (field === 'last') return value.at(-1) ?? null;
    return null;
  }
  if (value !== null && typeof value === 'object' && Object.hasOwn(value, field)) {
    return (value as Record<string, unknown>)[field] ?? null;
  }
  return null;
}

function compare(operator: string, left: unknown, right: unknown): boolean {
  if (operator === '==') return equal(left, right);
  if (operator === '!=') return !equal(left, right);
  const comparable =
    (typeof left === 'number' && typeof right === 'number') || (typeof left === 'string' && typeof right === 'string');
  if (!comparable) return false;
  const [a, b] = [left as number | string, right as number | string];
  if (operator === '<') return a < b;
  if (operator === '<=') return a <= b;
  if (operator === '>') return a > b;
  return a >= b;
}

function equal(left: unknown, right: unknown): boolean {
  if (left === right) return true;
  if (typeof left !== 'object' || typeof right !== 'object' || left === null || right === null) return false;
  return JSON.stringify(left) === JSON.stringify(right);
}

export function truthy(value: unknown): boolean {
  if (Array.isArray(value)) return value.length > 0;
  if (value !== null && typeof value === 'object') return Object.keys(value).length > 0;
  return Boolean(value);
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  return typeof value === 'object' ? 'a record' : `${typeof value} ${JSON.stringify(value)}`;
}
