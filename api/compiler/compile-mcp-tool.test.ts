import { describe, expect, it } from 'vitest';
import { WizardConfig } from '../schemas/wizard-config.ts';
import { compileMcpTool, type McpToolServers } from './compile-mcp-tool.ts';
import { compileWizardConfig } from './compile-wizard-config.ts';

const orgServers = (allowPrivateNetworks = false): McpToolServers => ({
  servers: {
    'order-desk': { hasToken: true, tools: ['lookup_order', 'cancel_order'] },
    wiki: { hasToken: false, tools: null },
  },
  allowPrivateNetworks,
});

describe('compileMcpTool', () => {
  it('names the URL and the Authorization header by credential, and the tools the org allows', () => {
    expect(compileMcpTool('order-desk', orgServers())).toEqual({
      name: 'order-desk',
      type: 'mcp',
      config: {
        url_env: 'MCP_ORDER_DESK_URL',
        headers_env: { Authorization: 'MCP_ORDER_DESK_AUTHORIZATION' },
        tools: ['lookup_order', 'cancel_order'],
      },
    });
  });

  it('sends no header for a server without a token, and lists no tools when all are allowed', () => {
    expect(compileMcpTool('wiki', orgServers())).toEqual({
      name: 'wiki',
      type: 'mcp',
      config: { url_env: 'MCP_WIKI_URL' },
    });
  });

  it('lets the runtime reach loopback and private addresses only when the platform allows it', () => {
    expect(compileMcpTool('wiki', orgServers(true)).config).toEqual({
      url_env: 'MCP_WIKI_URL',
      allow_localhost: true,
      allow_private_network: true,
    });
  });
});

describe('compileWizardConfig with MCP servers', () => {
  it('puts the servers after the built-in tools, in the order step3.mcp_servers names them', () => {
    const config = WizardConfig.parse({
      name: 'desk-bot',
      step1: { model: 'openai/gpt-4o-mini' },
      step3: { tools: ['calculator'], mcp_servers: ['wiki', 'order-desk'] },
    });

    const tools = compileWizardConfig({ orgSlug: 'acme', config, mcp: orgServers() }).spec.tools;

    expect(tools?.map((tool) => [tool.name, tool.type])).toEqual([
      ['calculator', 'builtin'],
      ['wiki', 'mcp'],
      ['order-desk', 'mcp'],
    ]);
  });

  it('compiles a config without MCP servers as before they existed', () => {
    const config = WizardConfig.parse({ name: 'plain-bot', step1: { model: 'openai/gpt-4o-mini' } });

    expect(compileWizardConfig({ orgSlug: 'acme', config, mcp: orgServers() }).spec.tools).toEqual([]);
    expect(config.step3).toEqual({ tools: [] });
  });
});
