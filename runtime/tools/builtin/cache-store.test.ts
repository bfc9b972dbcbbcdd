import { describe, expect, it } from 'vitest';
import { runTool } from '../test-support/a-tool-context.ts';
import { createToolCache } from '../tool-cache.ts';
import { cacheStore } from './cache-store.ts';

function aCache() {
  return createToolCache({ clock: () => new Date('2026-03-01T12:00:00Z') });
}

describe('cache_store', () => {
  it('stores a value and reads it back', async () => {
    const cache = aCache();
    await runTool(cacheStore, { action: 'set', key: 'city', value: { name: 'Lyon' } }, { cache });

    const result = await runTool(cacheStore, { action: 'get', key: 'city' }, { cache });

    expect(result).toEqual({ key: 'city', found: true, value: { name: 'Lyon' } });
  });

  it('reports a missing key as not found', async () => {
    const result = await runTool(cacheStore, { action: 'get', key: 'nothing' }, { cache: aCache() });

    expect(result).toEqual({ key: 'nothing', found: false });
  });

  it('deletes a key', async () => {
    const cache = aCache();
    await runTool(cacheStore, { action: 'set', key: 'k', value: 1 }, { cache });

    const result = await runTool(cacheStore, { action: 'delete', key: 'k' }, { cache });

    expect(result).toEqual({ key: 'k', deleted: true });
  });

  it('keeps the entries of two agents apart', async () => {
    const firstAgentCache = aCache();
    await runTool(cacheStore, { action: 'set', key: 'k', value: 'mine' }, { cache: firstAgentCache });

    const result = await runTool(cacheStore, { action: 'get', key: 'k' }, { cache: aCache() });

    expect(result).toEqual({ key: 'k', found: false });
  });

  it('requires a value for set', () => {
    const parsed = cacheStore.inputSchema.safeParse({ action: 'set', key: 'k' });

    expect(parsed.error?.issues[0]).toMatchObject({ path: ['value'], message: 'value is required when action is set' });
  });

  it('is not configured without a cache', async () => {
    const running = runTool(cacheStore, { action: 'get', key: 'k' });

    await expect(running).rejects.toMatchObject({ code: 'not_configured' });
  });
});
