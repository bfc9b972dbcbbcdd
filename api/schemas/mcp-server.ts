import { z } from 'zod';
import { httpUrlWithoutCredentials } from './http-url.ts';

// Imports zod only, so Studio (studio/src/api) can take its types without pulling in the API.
// Messages here never include the submitted value: a 400 must not echo a token (DESIGN.md decision 8).

/**
 * An org's MCP server name: it names the credentials the runtime reads (MCP_<NAME>_URL) and
 * prefixes each of its tools for the model (`<name>__<tool>`), so it is kept to what both allow.
 */
export const McpServerName = z
  .string()
  .min(1)
  .max(40)
  .regex(/^[a-z0-9-]+$/, 'must be lowercase letters, digits or "-"');

const McpServerUrl = httpUrlWithoutCredentials({ maxLength: 2048, sendSecretAs: 'send the token as token' }).describe(
  'The Streamable HTTP endpoint of the server, e.g. https://tools.example.com/mcp.',
);

const McpServerToken = z
  .string()
  .min(1)
  .max(4096)
  // Sent as `Authorization: Bearer <token>`: a header value cannot hold control characters or spaces.
  .regex(/^[\x21-\x7e]+$/, 'must be printable ASCII without spaces')
  .describe('Sent as `Authorization: Bearer <token>`. Omitted on a replace: the stored one is kept; null removes it.');

// MCP tool names are free text (the runtime takes 1–128 characters); the list is the server's
// tools the org's agents are offered.
const McpToolName = z.string().min(1).max(128);

/** PUT /orgs/{slug}/mcp-servers/{server}: creates the server or replaces it. */
export const SaveMcpServer = z.strictObject({
  url: McpServerUrl,
  token: McpServerToken.nullable().optional(),
  tools: z
    .array(McpToolName)
    .min(1)
    .max(256)
    .refine((tools) => new Set(tools).size === tools.length, 'must not list a tool more than once')
    .meta({ uniqueItems: true })
    .nullable()
    .optional()
    .describe("Only these of the server's tools are offered to the org's agents; null or absent: all of them."),
});
export type SaveMcpServer = z.infer<typeof SaveMcpServer>;

/** An MCP server as the API shows it: the token masked, never in clear. */
export const McpServerView = z.object({
  name: McpServerName,
  url: z.string(),
  masked_token: z.string().nullable().describe('At most the last 4 characters, e.g. ...wxyz; null without a token.'),
  tools: z.array(z.string()).nullable(),
  agents: z
    .array(z.string())
    .describe('The agents (draft, paused or deployed) that name this server in step3.mcp_servers.'),
  created_at: z.string(),
  updated_at: z.string(),
});
export type McpServerView = z.infer<typeof McpServerView>;
