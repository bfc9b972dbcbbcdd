import { z } from 'zod';

// The body of POST …/mcp (MCP Streamable HTTP): one JSON-RPC 2.0 message, or a batch of them.
// Loose on purpose: the MCP SDK's transport checks each message against the protocol and answers
// a malformed one with a JSON-RPC error, as MCP clients expect; this names the contract for the
// OpenAPI document and refuses what is not JSON-RPC at all.
const JsonRpcMessageObject = z
  .looseObject({
    jsonrpc: z.literal('2.0'),
    id: z
      .union([z.string(), z.int()])
      .optional()
      .describe('Present on requests and responses; absent on notifications.'),
    method: z
      .string()
      .optional()
      .describe('initialize, notifications/initialized, ping, tools/list, tools/call... (absent on responses).'),
    params: z.record(z.string(), z.unknown()).optional(),
  })
  .describe('A JSON-RPC 2.0 request, notification or response of the Model Context Protocol.');

export const JsonRpcMessage = z.union([JsonRpcMessageObject, z.array(JsonRpcMessageObject).min(1).max(100)]);
export type JsonRpcMessage = z.infer<typeof JsonRpcMessage>;
