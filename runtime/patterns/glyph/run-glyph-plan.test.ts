import { describe, expect, it } from 'vitest';
import type { ToolDefinition } from '../../router/model-types.ts';
import type { ToolResult } from '../../tools/tool-types.ts';
import { compileGlyph } from './compile-glyph.ts';
import { GlyphExecutionError } from './glyph-errors.ts';
import { parseGlyph } from './parse-glyph.ts';
import { runGlyphPlan } from './run-glyph-plan.ts';

const tool = (name: string): ToolDefinition => ({
  name,
  description: name,
  inputSchema: { type: 'object', properties: { id: {}, value: {}, left: {}, right: {} } },
});
const tools = ['first', 'second', 'both', 'fail', 'never', 'parts', 'price'].map(tool);

/** A gate a tool waits at, opened from outside. */
function gate() {
  let open = () => {};
  const opened = new Promise<void>((resolve) => {
    open = resolve;
  });
  return { open, opened };
}

/** Tools that log when each call starts and ends; `behaviour` decides what a call does in between. */
function recordingTools(behaviour: (name: string, input: Record<string, unknown>) => Promise<ToolResult>) {
  const log: string[] = [];
  const invoke = async (name: string, input: Record<string, unknown>) => {
    log.push(`start ${name}`);
    const result = await behaviour(name, input);
    log.push(`end ${name}`);
    return result;
  };
  return { log, invoke };
}

const run = (
  source: string,
  invoke: (name: string, input: Record<string, unknown>) => Promise<ToolResult>,
  signal = new AbortController().signal,
) =>
  runGlyphPlan(compileGlyph(parseGlyph(source), tools), {
    invoke,
    query: 'the query',
    context: { zone: 'UTC' },
    signal,
  });

describe('runGlyphPlan', () => {
  it('runs two independent calls at the same time and the call that needs both after both have ended', async () => {
    // Each independent call waits until the other has started: run one after the other, they never finish.
    const started = { first: gate(), second: gate() };
    const { log, invoke } = recordingTools(async (name, input) => {
      if (name === 'first') {
        started.first.open();
        await started.second.opened;
      }
      if (name === 'second') {
        started.second.open();
        await started.first.opened;
      }
      return { success: true, data: name === 'both' ? input : { name } };
    });
    const result = await run(
      'a = first(id=1)\nb = second(id=2)\nc = both(left=a.name, right=b.name)\nreturn {c, q: query, zone: context.zone}',
      invoke,
    );
    expect(log.slice(0, 2).sort()).toEqual(['start first', 'start second']);
    expect(log.slice(2, 4).sort()).toEqual(['end first', 'end second']);
    expect(log.slice(4)).toEqual(['start both', 'end both']);
    expect(result.value).toEqual({ c: { left: 'first', right: 'second' }, q: 'the query', zone: 'UTC' });
    expect(result.calls.map((call) => call.tool).sort()).toEqual(['both', 'first', 'second']);
  });

  it('fails on the first failed call, with what ran, and starts nothing that depends on it', async () => {
    const { log, invoke } = recordingTools(async (name) =>
      name === 'fail'
        ? { success: false, error: { code: 'failed', message: 'the service said no' } }
        : { success: true, data: { ok: true } },
    );
    const error = await run('a = first(id=1)\nb = fail(id=a.ok)\nc = never(id=b)\nreturn c', invoke).catch(
      (err: unknown) => err,
    );
    expect(error).toBeInstanceOf(GlyphExecutionError);
    expect((error as GlyphExecutionError).message).toBe('fail (line 2) failed: failed: the service said no');
    expect((error as GlyphExecutionError).calls).toEqual([
      { tool: 'first', input: { id: 1 }, output: { ok: true }, success: true },
      {
        tool: 'fail',
        input: { id: true },
        output: { error: { code: 'failed', message: 'the service said no' } },
        success: false,
      },
    ]);
    expect(log).not.toContain('start never');
  });

  it('stops when the run is aborted: the pending call never starts and the run fails with the abort reason', async () => {
    const controller = new AbortController();
    const firstStarted = gate();
    const { log, invoke } = recordingTools(async (name) => {
      if (name === 'first') {
        firstStarted.open();
        await new Promise<void>(() => {}); // a call that never ends by itself
      }
      return { success: true, data: {} };
    });
    const running = run('a = first(id=1)\nb = never(id=a)\nreturn b', invoke, controller.signal);
    await firstStarted.opened;
    controller.abort(new Error('cancelled by the caller'));
    await expect(running).rejects.toThrow('cancelled by the caller');
    expect(log).toEqual(['start first']);
  });

  it('filters, orders and maps lists, calling a tool once per element, and reads .empty, .count and .first', async () => {
    const parts = [
      { sku: 'A', kind: 'oem', price: 30, stock: 2 },
      { sku: 'B', kind: 'oem', price: 10, stock: 0 },
      { sku: 'C', kind: 'oem', price: 20, stock: 5 },
      { sku: 'D', kind: 'aftermarket', price: 5, stock: 9 },
    ];
    const { invoke } = recordingTools(async (name, input) => ({
      success: true,
      data: name === 'parts' ? parts : { sku: input.id, quote: `quote for ${String(input.id)}` },
    }));
    const result = await run(
      [
        'all = parts()',
        'oem = all | where(kind == "oem", stock > 0) | top(2, by=price)',
        'cheapest = all | top(1, by=price, asc=true)',
        'quotes = oem | map({sku, q: price(id=sku)})',
        'return {skus: oem | map(sku), quotes, n: all.count, none: (all | where(price > 100)).empty, first: cheapest.first.sku}',
      ].join('\n'),
      invoke,
    );
    expect(result.value).toEqual({
      skus: ['A', 'C'],
      quotes: [
        { sku: 'A', q: { sku: 'A', quote: 'quote for A' } },
        { sku: 'C', q: { sku: 'C', quote: 'quote for C' } },
      ],
      n: 4,
      none: true,
      first: 'D',
    });
  });

  it('runs only the branch of an if that its condition picks; a name only the other branch binds is null', async () => {
    const { log, invoke } = recordingTools(async (name) => ({ success: true, data: name === 'first' ? [] : 'x' }));
    const result = await run(
      'a = first()\nif a.empty:\n    b = second()\nelse:\n    c = never()\nreturn {b, c}',
      invoke,
    );
    expect(result.value).toEqual({ b: 'x', c: null });
    expect(log).not.toContain('start never');
  });
});
