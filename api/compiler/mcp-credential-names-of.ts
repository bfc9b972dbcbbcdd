/**
 * The credentials the runtime reads an org's MCP server from (README "MCP tool servers"), by name
 * like OPENAI_API_KEY: the URL and the Authorization header stay out of the compiled agent file,
 * which any member may read. Server names are [a-z0-9-] and '-' becomes '_', so two servers never
 * share a credential.
 */
export function mcpCredentialNamesOf(server: string): { url: string; authorization: string } {
  const stem = `MCP_${server.toUpperCase().replaceAll('-', '_')}`;
  return { url: `${stem}_URL`, authorization: `${stem}_AUTHORIZATION` };
}
