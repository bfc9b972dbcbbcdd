import { type ToolCache, ToolError } from './tool-types.ts';

export const defaultCacheLimits = { maxEntries: 1000, maxBytes: 4 * 1024 * 1024, maxValueBytes: 256 * 1024 };

interface Entry {
  value: unknown;
  sizeBytes: number;
  expiresAtMs: number | undefined;
}

/**
 * The in-memory store behind cache_store, one per agent. It is bounded by entry count and by the
 * JSON size of its values; when full it drops the least recently used entry, because a model's
 * scratch values matter less the longer it has not looked at them.
 */
export function createToolCache(deps: { clock: () => Date; limits?: Partial<typeof defaultCacheLimits> }): ToolCache {
  const limits = { ...defaultCacheLimits, ...deps.limits };
  // A Map iterates in insertion order; re-inserting on use keeps the least recently used first.
  const entries = new Map<string, Entry>();
  let totalBytes = 0;

  const remove = (key: string): boolean => {
    const entry = entries.get(key);
    if (!entry) return false;
    entries.delete(key);
    totalBytes -= entry.sizeBytes;
    return true;
  };

  return {
    get(key) {
      const entry = entries.get(key);
      if (!entry) return { found: false };
      if (entry.expiresAtMs !== undefined && entry.expiresAtMs <= deps.clock().getTime()) {
        remove(key);
        return { found: false };
      }
      entries.delete(key);
      entries.set(key, entry);
      return { found: true, value: entry.value };
    },

    set(key, value, options = {}) {
      const sizeBytes = Buffer.byteLength(key) + Buffer.byteLength(JSON.stringify(value) ?? 'null');
      if (sizeBytes > limits.maxValueBytes) {
        throw new ToolError('invalid_input', `value: larger than the cache allows (${limits.maxValueBytes} bytes)`);
      }
      remove(key);
      const expiresAtMs =
        options.ttlSeconds === undefined ? undefined : deps.clock().getTime() + options.ttlSeconds * 1000;
      entries.set(key, { value, sizeBytes, expiresAtMs });
      totalBytes += sizeBytes;
      for (const oldestKey of entries.keys()) {
        if (entries.size <= limits.maxEntries && totalBytes <= limits.maxBytes) break;
        remove(oldestKey);
      }
    },

    delete: remove,
  };
}
