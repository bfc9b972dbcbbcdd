import { z } from 'zod';

// A2A protocol v1.0 (https://a2a-protocol.org/v1.0.0/specification/), JSON-RPC binding, in its
// JSON form (the `@a2a-js/sdk` 1.3 client's): what our endpoint reads and what it answers. Only
// the parts we serve are spelled out; the rest of a caller's message passes through unread.

/** JSON-RPC 2.0 request envelope; `params` are checked per method. */
export const JsonRpcRequest = z
  .object({
    jsonrpc: z.literal('2.0'),
    id: z.union([z.string().max(256), z.number(), z.null()]).optional(),
    method: z.string().min(1).max(128),
    params: z.unknown().optional(),
  })
  .describe(
    'A JSON-RPC 2.0 request. Methods (A2A v1.0): `SendMessage`, `SendStreamingMessage` (answers `text/event-stream`), ' +
      '`GetTask` and `CancelTask` (no task is kept: -32001); their A2A v0.3 names `message/send`, `message/stream`, ' +
      '`tasks/get`, `tasks/cancel` answer in v0.3 form. Errors are JSON-RPC error objects.',
  );
export type JsonRpcRequest = z.infer<typeof JsonRpcRequest>;
export type JsonRpcId = string | number | null;

// A part of another kind (raw, url, data) is read, then refused by name: we run text only.
const MessagePart = z.object({ text: z.string().optional() }).passthrough();

/** The caller's message (a2a.v1.Message): text parts only; `contextId` continues our session of that id. */
export const A2aUserMessage = z
  .object({
    messageId: z.string().min(1).max(256),
    contextId: z
      .string()
      .max(256)
      .regex(/^[A-Za-z0-9_.:@-]*$/, 'may contain letters, digits and _ . : @ -')
      .optional(),
    taskId: z.string().max(256).optional(),
    // ROLE_USER (v1.0) or user (v0.3); what the caller calls itself changes nothing.
    role: z.string().max(32).optional(),
    parts: z.array(MessagePart).min(1, 'must hold at least one text part'),
    metadata: z.record(z.string(), z.unknown()).optional(),
  })
  .passthrough();

/** Params of SendMessage and SendStreamingMessage (a2a.v1.SendMessageRequest). */
export const SendMessageParams = z
  .object({ message: A2aUserMessage, configuration: z.unknown().optional(), metadata: z.unknown().optional() })
  .passthrough();
export type SendMessageParams = z.infer<typeof SendMessageParams>;

/** Params of GetTask and CancelTask. */
export const TaskIdParams = z.object({ id: z.string().min(1).max(256) }).passthrough();

export const A2aPart = z.object({ text: z.string() });
export const A2aAgentMessage = z.object({
  messageId: z.string(),
  contextId: z.string(),
  taskId: z.string().optional(),
  role: z.literal('ROLE_AGENT'),
  parts: z.array(A2aPart),
  metadata: z.record(z.string(), z.unknown()).optional(),
});
export type A2aAgentMessage = z.infer<typeof A2aAgentMessage>;

/** What SendMessage answers (a2a.v1.SendMessageResponse): the agent's reply, the session as contextId. */
export const SendMessageResult = z.object({ message: A2aAgentMessage });

export const JsonRpcResponse = z.object({
  jsonrpc: z.literal('2.0'),
  id: z.union([z.string(), z.number(), z.null()]),
  result: SendMessageResult,
});
export type JsonRpcResponse = z.infer<typeof JsonRpcResponse>;

export const JsonRpcErrorBody = z.object({
  jsonrpc: z.literal('2.0'),
  id: z.union([z.string(), z.number(), z.null()]),
  error: z.object({
    code: z.number().int(),
    message: z.string(),
    /** Our envelope's code and status (`daily_limit_reached`, 429), for a caller who wants more than the code. */
    data: z.object({ error: z.string(), status: z.number().int() }).optional(),
  }),
});
export type JsonRpcErrorBody = z.infer<typeof JsonRpcErrorBody>;

const SecurityScheme = z.union([
  z.object({ apiKeySecurityScheme: z.object({ location: z.string(), name: z.string(), description: z.string() }) }),
  z.object({ httpAuthSecurityScheme: z.object({ scheme: z.string(), description: z.string() }) }),
]);

/** The agent card (a2a.v1.AgentCard) of one deployed agent. */
export const A2aAgentCard = z.object({
  name: z.string(),
  description: z.string(),
  version: z.string(),
  supportedInterfaces: z.array(z.object({ url: z.string(), protocolBinding: z.string(), protocolVersion: z.string() })),
  provider: z.object({ organization: z.string(), url: z.string() }),
  capabilities: z.object({ streaming: z.boolean(), pushNotifications: z.boolean() }),
  securitySchemes: z.record(z.string(), SecurityScheme),
  securityRequirements: z.array(z.object({ schemes: z.record(z.string(), z.object({ list: z.array(z.string()) })) })),
  defaultInputModes: z.array(z.string()),
  defaultOutputModes: z.array(z.string()),
  skills: z.array(
    z.object({
      id: z.string(),
      name: z.string(),
      description: z.string(),
      tags: z.array(z.string()),
      inputModes: z.array(z.string()),
      outputModes: z.array(z.string()),
    }),
  ),
});
export type A2aAgentCard = z.infer<typeof A2aAgentCard>;
