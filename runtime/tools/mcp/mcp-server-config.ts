import { z } from 'zod';
import { defaultTimeoutSeconds } from '../network-config.ts';

const CredentialName = z
  .string()
  .max(128)
  .regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'must be a credential name');
// RFC 9110 token characters: a header name the runtime can send.
const HeaderName = z
  .string()
  .min(1)
  .max(128)
  .regex(/^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/, 'must be an HTTP header name');
const HttpUrl = z
  .string()
  .max(2048)
  .regex(/^https?:\/\//, 'must be an http:// or https:// URL');
// MCP tool names are free text; these are the ones a model can be offered (providers' rule).
export const McpToolName = z.string().min(1).max(128);

/**
 * The `config` of a `tools[]` entry of type mcp: one MCP server, reached over Streamable HTTP
 * (`url` or `url_env`) or started as a child process speaking stdio (`command`). Secrets come from
 * credentials by name (`url_env`, `headers_env`, `env_credentials`), never from the file.
 */
export const McpServerConfig = z
  .strictObject({
    transport: z
      .enum(['streamable_http', 'stdio'])
      .optional()
      .describe('Unset: stdio when `command` is set, else streamable_http.'),
    url: HttpUrl.optional().describe('streamable_http: the MCP endpoint, e.g. https://tools.example.com/mcp.'),
    url_env: CredentialName.optional().describe('streamable_http: the credential holding the URL instead.'),
    headers: z.record(HeaderName, z.string().max(8192)).optional().describe('Sent with every request, as written.'),
    headers_env: z
      .record(HeaderName, CredentialName)
      .optional()
      .describe('Header name → credential whose value is sent, e.g. {Authorization: MCP_GITHUB_AUTHORIZATION}.'),
    command: z.string().min(1).max(1024).optional().describe('stdio: the program that is the server.'),
    args: z.array(z.string().max(4096)).max(64).optional(),
    env: z
      .record(z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/), z.string().max(8192))
      .optional()
      .describe(
        "stdio: variables set for the server, beside a minimal environment (PATH, HOME…), never the runtime's own.",
      ),
    env_credentials: z
      .record(z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/), CredentialName)
      .optional()
      .describe('stdio: variable → credential whose value it gets.'),
    cwd: z.string().max(1024).optional().describe('stdio: working directory of the server.'),
    tools: z
      .array(McpToolName)
      .max(256)
      .optional()
      .describe("Only these of the server's tools are offered to the model; unset: all of them."),
    timeout_seconds: z
      .number()
      .positive()
      .max(600)
      .default(defaultTimeoutSeconds)
      .describe('Each tool call; also connecting and listing the tools.'),
    allow_localhost: z.boolean().default(false).describe('streamable_http: allow loopback addresses.'),
    allow_private_network: z
      .boolean()
      .default(false)
      .describe('streamable_http: allow private and carrier-grade NAT addresses; link-local and metadata never.'),
  })
  .superRefine((config, ctx) => {
    const transport = config.transport ?? (config.command === undefined ? 'streamable_http' : 'stdio');
    const problem = (path: string, message: string) => ctx.addIssue({ code: 'custom', path: [path], message });
    if (transport === 'streamable_http') {
      if ((config.url === undefined) === (config.url_env === undefined))
        problem('url', 'a streamable_http MCP server needs exactly one of url and url_env');
      for (const key of ['command', 'args', 'env', 'env_credentials', 'cwd'] as const)
        if (config[key] !== undefined) problem(key, 'is for stdio MCP servers only');
    } else {
      if (config.command === undefined) problem('command', 'a stdio MCP server needs a command');
      for (const key of ['url', 'url_env', 'headers', 'headers_env'] as const)
        if (config[key] !== undefined) problem(key, 'is for streamable_http MCP servers only');
    }
  });
export type McpServerConfig = z.infer<typeof McpServerConfig>;

/** The transport a parsed config names, with its default. */
export function transportOf(config: McpServerConfig): 'streamable_http' | 'stdio' {
  return config.transport ?? (config.command === undefined ? 'streamable_http' : 'stdio');
}
