import { AppError, InvalidInput } from '../errors.ts';
import type { JsonRpcErrorBody, JsonRpcId } from '../schemas/a2a.ts';
import type { ErrorBody } from '../schemas/error-body.ts';
import type { ErrorReshape } from './error-envelope.ts';

/** The JSON-RPC endpoint of a deployed agent, relative to /api/v1. */
export const a2aEndpointPath = '/orgs/{slug}/a2a/{name}';

// JSON-RPC 2.0 and A2A v1.0 error codes.
export const jsonRpcCodes = {
  parseError: -32700,
  invalidRequest: -32600,
  methodNotFound: -32601,
  invalidParams: -32602,
  internalError: -32603,
  /** Implementation-defined server error: the call was refused (credentials, agent, limits). */
  refused: -32000,
  taskNotFound: -32001,
} as const;

/** A JSON-RPC error with the request's id, thrown by the endpoint once it has read the envelope. */
export class JsonRpcFailure extends AppError {
  readonly id: JsonRpcId;
  readonly rpcCode: number;
  /** The params field at fault (`params.message.parts[1]`), when one is. */
  readonly field: string | undefined;

  constructor(input: {
    id: JsonRpcId;
    rpcCode: number;
    message: string;
    status?: number;
    code?: string;
    field?: string;
  }) {
    super(input.code ?? 'invalid_request', input.status ?? 400, input.message);
    this.id = input.id;
    this.rpcCode = input.rpcCode;
    this.field = input.field;
  }
}

/**
 * An A2A client reads JSON-RPC error objects, so every error of the endpoint (a refused key, a bad
 * body, a limit, a failed run) is one; the HTTP status stays the envelope's, and `data` carries
 * our code and status. Errors before the envelope was read answer with id null, as JSON-RPC says.
 */
export function a2aErrorShape(apiPrefix: string): ErrorReshape {
  const endpoint = a2aEndpointPath.replace('{slug}', '[^/]+').replace('{name}', '[^/]+');
  return { pathPattern: new RegExp(`^${apiPrefix}${endpoint}/?$`), reshape: toJsonRpcErrorBody };
}

export function toJsonRpcErrorBody(body: ErrorBody, err?: unknown): JsonRpcErrorBody {
  return {
    jsonrpc: '2.0',
    id: err instanceof JsonRpcFailure ? err.id : null,
    error: { code: jsonRpcCodeOf(body, err), message: body.message, data: { error: body.error, status: body.status } },
  };
}

function jsonRpcCodeOf(body: ErrorBody, err: unknown): number {
  if (err instanceof JsonRpcFailure) return err.rpcCode;
  // The body parser's refusal of what is not JSON.
  if (body.status === 400 && /not valid JSON/.test(body.message)) return jsonRpcCodes.parseError;
  // The route's envelope schema (jsonrpc, id, method) refused it.
  if (err instanceof InvalidInput) return jsonRpcCodes.invalidRequest;
  return body.status >= 500 ? jsonRpcCodes.internalError : jsonRpcCodes.refused;
}
