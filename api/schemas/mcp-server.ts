import { z } from 'zod';

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

const McpServerUrl = z
  .url({ protocol: /^https?$/, error: 'must be an http:// or https:// URL' })
  .max(2048)
  // States in the document what the URL check and the refinement below enforce: http(s), a host
  // name or IPv4 address, an optional port, and no user name or password.
  .regex(
    /^[Hh][Tt][Tt][Pp][Ss]?:\/\/(?:(?:[A-Za-z0-9-]+\.)*[A-Za-z][A-Za-z0-9-]*|(?:(?:25[0-5]|2[0-4][0-9]|1[0-9]{2}|[1-9]?[0-9])\.){3}(?:25[0-5]|2[0-4][0-9]|1[0-9]{2}|[1-9]?[0-9]))(?::(?:6553[0-5]|655[0-2][0-9]|65[0-4][0-9]{2}|6[0-4][0-9]{3}|[1-5][0-9]{4}|[0-9]{1,4}))?(?:[/?#][\x21-\x7e]*)?$/,
    'must be an http:// or https:// URL: host name or IPv4 address, optional port, no user name or password',
  )
  .refine((url) => {
    // Unparsable URLs are already reported above; credentials in the URL would be shown unmasked.
    const parsed = URL.parse(url);
    return parsed === null || (parsed.username === '' && parsed.password === '');
  }, 'must not contain a user name or password; send the token as token')
  .describe('The Streamable HTTP endpoint of the server, e.g. https://tools.example.com/mcp.');

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
