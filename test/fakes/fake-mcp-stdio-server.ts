// An MCP server over stdio, built with the official SDK: the runtime starts it as a child process
// (tools of type mcp with `command`). Besides the fake tools it tells what its environment holds.
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';
import { registerFakeMcpTools } from './fake-mcp-tools.ts';

const server = new McpServer({ name: 'fake-stdio', version: '1.0.0' });
registerFakeMcpTools(server, []);
server.registerTool('environment', { description: 'What this server process was given', inputSchema: {} }, async () => {
  const seen = {
    pid: process.pid,
    token: process.env.FAKE_MCP_TOKEN ?? null,
    region: process.env.FAKE_MCP_REGION ?? null,
    // Variables of the runtime's own environment must not reach the server.
    inherited: Object.keys(process.env).filter((name) => name.startsWith('ASTROMESH_TEST_')),
  };
  return { content: [{ type: 'text', text: JSON.stringify(seen) }], structuredContent: seen };
});
process.stderr.write('fake stdio MCP server ready\n');
await server.connect(new StdioServerTransport());
