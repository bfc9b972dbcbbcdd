import { setTimeout as sleep } from 'node:timers/promises';
import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { z } from 'zod';

/**
 * The tools the fake MCP servers offer, on the official SDK's McpServer: an order lookup with
 * structured output, one that fails (isError), one slower than any test's deadline, and a
 * counter of the calls each server received.
 */
export function registerFakeMcpTools(server: McpServer, calls: string[]): void {
  server.registerTool(
    'lookup_order',
    {
      title: 'Look up an order',
      description: 'The status of an order, by its id',
      inputSchema: { order_id: z.string().describe('e.g. A-17') },
      outputSchema: { order_id: z.string(), status: z.string() },
    },
    async ({ order_id }) => {
      calls.push(`lookup_order ${order_id}`);
      const structured = { order_id, status: `shipped (order ${order_id})` };
      return { content: [{ type: 'text', text: JSON.stringify(structured) }], structuredContent: structured };
    },
  );
  server.registerTool('broken', { description: 'Always fails', inputSchema: {} }, async () => {
    calls.push('broken');
    return { isError: true, content: [{ type: 'text', text: 'the warehouse database is down' }] };
  });
  server.registerTool('slow', { description: 'Takes a minute', inputSchema: {} }, async (_input, extra) => {
    calls.push('slow');
    await sleep(60_000, undefined, { signal: extra.signal }).catch(() => {});
    return { content: [{ type: 'text', text: 'finally' }] };
  });
}
