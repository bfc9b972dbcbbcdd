import type { Stream } from 'node:stream';
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import type { Transport } from '@modelcontextprotocol/sdk/shared/transport.js';
import type { Logger } from 'pino';
import type { CredentialsLookup } from '../../config/credentials-lookup.ts';
import { ToolError } from '../tool-types.ts';
import { createGuardedMcpFetch } from './guarded-mcp-fetch.ts';
import { type McpServerConfig, transportOf } from './mcp-server-config.ts';

/** A server's tool as it lists it. */
export interface ListedMcpTool {
  name: string;
  title?: string;
  description?: string;
  inputSchema: Record<string, unknown>;
}

/** One live connection to an MCP server, initialised. */
export interface McpConnection {
  listTools(signal: AbortSignal, max: number): Promise<ListedMcpTool[]>;
  /** The tool's result as the model reads it; a result the server marks isError throws ToolError 'failed'. */
  callTool(name: string, input: Record<string, unknown>, signal: AbortSignal): Promise<unknown>;
  close(): Promise<void>;
}

// The lines of a stdio server's stderr the runtime logs, and how long each may be: a chatty
// server must not flood the runtime's log.
const maxStderrLines = 200;
const maxStderrLineChars = 500;

/**
 * Connects to one MCP server with the official SDK's client and runs the initialisation
 * handshake. Secrets (the URL and headers from credentials, a stdio server's credential
 * variables) are read here, at connect time, so a rotated credential is used by the next
 * connection; they are never logged.
 */
export async function connectMcpServer(options: {
  name: string;
  config: McpServerConfig;
  credentials: CredentialsLookup;
  log: Logger;
  signal: AbortSignal;
  onToolsChanged: () => void;
  onClosed: (connection: McpConnection) => void;
}): Promise<McpConnection> {
  const { config, name } = options;
  // The SDK is loaded with an agent's first MCP server: most runtimes have none (issue 13).
  const { Client } = await import('@modelcontextprotocol/sdk/client/index.js');
  const { transport, closeTransport } = await transportFor(options);
  const client: Client = new Client(
    { name: 'astromeshd', version: '1' },
    {
      capabilities: {},
      listChanged: { tools: { autoRefresh: false, debounceMs: 0, onChanged: () => options.onToolsChanged() } },
    },
  );
  const connection: McpConnection = {
    async listTools(signal, max) {
      const tools: ListedMcpTool[] = [];
      let cursor: string | undefined;
      do {
        const page = await client.listTools(cursor === undefined ? {} : { cursor }, { signal });
        tools.push(
          ...page.tools.map((tool) => ({ ...tool, inputSchema: tool.inputSchema as Record<string, unknown> })),
        );
        cursor = page.nextCursor;
      } while (cursor !== undefined && tools.length < max);
      return tools.slice(0, max);
    },
    async callTool(tool, input, signal) {
      // The deadline is the caller's (runWithDeadline); the SDK's own 60 s default must not cut it shorter.
      const result = await client.callTool({ name: tool, arguments: input }, undefined, {
        signal,
        timeout: config.timeout_seconds * 1000,
      });
      return resultOf(tool, result);
    },
    async close() {
      await client.close().catch(() => {});
      await closeTransport();
    },
  };
  let opened = false;
  client.onclose = () => {
    if (opened) options.onClosed(connection);
  };
  client.onerror = (err) => options.log.debug({ error: err.message }, 'MCP transport error');
  try {
    await client.connect(transport, { signal: options.signal, timeout: config.timeout_seconds * 1000 });
  } catch (err) {
    await connection.close();
    throw asToolError(name, err);
  }
  opened = true;
  return connection;
}

async function transportFor(options: {
  name: string;
  config: McpServerConfig;
  credentials: CredentialsLookup;
  log: Logger;
}): Promise<{ transport: Transport; closeTransport: () => Promise<void> }> {
  const { config, credentials, name } = options;
  const required = (credential: string, what: string) => {
    const value = credentials(credential);
    if (value === undefined || value === '')
      throw new ToolError('not_configured', `MCP server '${name}': credential ${credential} (${what}) is not set`);
    return value;
  };
  if (transportOf(config) === 'stdio') {
    const { StdioClientTransport, getDefaultEnvironment } = await import('@modelcontextprotocol/sdk/client/stdio.js');
    const env: Record<string, string> = { ...getDefaultEnvironment(), ...config.env };
    for (const [variable, credential] of Object.entries(config.env_credentials ?? {}))
      env[variable] = required(credential, `env ${variable}`);
    const transport = new StdioClientTransport({
      command: config.command as string,
      args: config.args,
      env,
      cwd: config.cwd,
      stderr: 'pipe',
    });
    logStderr(transport, options.log);
    return { transport, closeTransport: async () => {} };
  }
  const url = config.url ?? required(config.url_env as string, 'url_env');
  const headers: Record<string, string> = { ...config.headers };
  for (const [header, credential] of Object.entries(config.headers_env ?? {}))
    headers[header] = required(credential, `header ${header}`);
  let guarded: Awaited<ReturnType<typeof createGuardedMcpFetch>>;
  try {
    guarded = await createGuardedMcpFetch({
      url,
      policy: { allowLocalhost: config.allow_localhost, allowPrivateNetwork: config.allow_private_network },
      connectTimeoutMs: config.timeout_seconds * 1000,
    });
  } catch (err) {
    throw asToolError(name, err);
  }
  const { StreamableHTTPClientTransport } = await import('@modelcontextprotocol/sdk/client/streamableHttp.js');
  const transport = new StreamableHTTPClientTransport(new URL(url), {
    fetch: guarded.fetch,
    requestInit: { headers },
    // A lost stream is not resumed on its own: the next run reconnects with a fresh session.
    reconnectionOptions: {
      maxReconnectionDelay: 1000,
      initialReconnectionDelay: 500,
      reconnectionDelayGrowFactor: 1,
      maxRetries: 0,
    },
  });
  return { transport, closeTransport: guarded.close };
}

function logStderr(transport: { stderr: Stream | null }, log: Logger): void {
  let lines = 0;
  let pending = '';
  transport.stderr?.on('data', (chunk: Buffer | string) => {
    pending += chunk.toString();
    const parts = pending.split('\n');
    pending = parts.pop() ?? '';
    for (const line of parts) {
      if (lines >= maxStderrLines) return;
      lines += 1;
      log.debug({ stderr: line.slice(0, maxStderrLineChars) }, 'MCP server stderr');
      if (lines === maxStderrLines) log.debug('MCP server stderr: later lines are not logged');
    }
  });
}

/** What the model reads of a result: structured content when the server gives it, else its text. */
function resultOf(tool: string, result: Record<string, unknown>): unknown {
  const content = Array.isArray(result.content) ? (result.content as { type?: string; text?: string }[]) : [];
  const texts = content.filter((part) => part.type === 'text').map((part) => part.text ?? '');
  if (result.isError === true)
    throw new ToolError('failed', `MCP tool ${tool} failed: ${texts.join('\n') || 'the server gave no reason'}`);
  if (result.structuredContent !== undefined) return result.structuredContent;
  if (texts.length === content.length) return texts.join('\n');
  return content;
}

function asToolError(server: string, err: unknown): ToolError {
  if (err instanceof ToolError) return new ToolError(err.code, `MCP server '${server}': ${err.message}`);
  const message = err instanceof Error ? err.message : String(err);
  // undici wraps the guard's refusal in a TypeError('fetch failed', {cause}).
  const cause = err instanceof Error ? err.cause : undefined;
  if (cause instanceof ToolError) return new ToolError(cause.code, `MCP server '${server}': ${cause.message}`);
  return new ToolError('failed', `MCP server '${server}': ${message}`);
}
