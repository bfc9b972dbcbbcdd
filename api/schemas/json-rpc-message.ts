import { z } from 'zod';

// The body of POST …/mcp (MCP Streamable HTTP): one JSON-RPC 2.0 message of MCP, as the SDK's
// JSONRPCMessageSchema takes it, so a body this accepts is one the SDK's transport accepts too
// (and a body it refuses gets the API's 400 naming the field). No batches: MCP dropped them in
// its 2025-06-18 revision, and no SDK client sends one.
const JsonRpcId = z.union([z.string(), z.int()]);
const Params = z.looseObject({}).describe('The method’s parameters, e.g. `{ name, arguments }` for tools/call.');

const JsonRpcRequest = z.object({
  jsonrpc: z.literal('2.0'),
  id: JsonRpcId,
  method: z.string().min(1).describe('initialize, ping, tools/list, tools/call...'),
  params: Params.optional(),
});
const JsonRpcNotification = z.object({
  jsonrpc: z.literal('2.0'),
  method: z.string().min(1).describe('notifications/initialized, notifications/cancelled...'),
  params: Params.optional(),
});
const JsonRpcResult = z.object({ jsonrpc: z.literal('2.0'), id: JsonRpcId, result: z.looseObject({}) });
const JsonRpcError = z.object({
  jsonrpc: z.literal('2.0'),
  id: JsonRpcId,
  error: z.object({ code: z.int(), message: z.string(), data: z.unknown().optional() }),
});

export const JsonRpcMessage = z
  .union([JsonRpcRequest, JsonRpcNotification, JsonRpcResult, JsonRpcError], {
    error:
      'must be one JSON-RPC 2.0 message: { jsonrpc: "2.0", id, method, params? }, a notification without id, or a response',
  })
  .describe('One JSON-RPC 2.0 request, notification or response of the Model Context Protocol.');
export type JsonRpcMessage = z.infer<typeof JsonRpcMessage>;
