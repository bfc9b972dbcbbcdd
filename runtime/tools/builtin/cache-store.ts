import { z } from 'zod';
import { type Tool, ToolError } from '../tool-types.ts';

const CacheStoreInput = z
  .object({
    action: z.enum(['get', 'set', 'delete']).describe('get reads a key, set stores value under it, delete removes it.'),
    key: z.string().min(1).max(256).describe('Cache key.'),
    value: z.unknown().optional().describe('Any JSON value; required for set.'),
    ttl_seconds: z
      .int()
      .positive()
      .max(7 * 86_400)
      .optional()
      .describe('For set: forget the value this many seconds later. Without it the value stays until evicted.'),
  })
  .superRefine((input, ctx) => {
    if (input.action === 'set' && input.value === undefined) {
      ctx.addIssue({ code: 'custom', path: ['value'], message: 'value is required when action is set' });
    }
  });
type CacheStoreInput = z.infer<typeof CacheStoreInput>;

export const cacheStore: Tool<CacheStoreInput> = {
  name: 'cache_store',
  description:
    'A small key-value scratchpad private to this agent: store a value with action "set", read it back with ' +
    '"get", remove it with "delete". Use it to keep intermediate results between tool calls, e.g. an expensive ' +
    'lookup you will need again. Entries may be evicted when the cache is full.',
  inputSchema: CacheStoreInput,
  async run(input, context) {
    const cache = context.cache;
    if (!cache) throw new ToolError('not_configured', 'cache_store has no cache in this context');
    if (input.action === 'get') return { key: input.key, ...cache.get(input.key) };
    if (input.action === 'delete') return { key: input.key, deleted: cache.delete(input.key) };
    cache.set(input.key, input.value, { ttlSeconds: input.ttl_seconds });
    return { key: input.key, stored: true };
  },
};
