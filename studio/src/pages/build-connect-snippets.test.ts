import { describe, expect, it } from 'vitest';
import { buildConnectSnippets } from './build-connect-snippets.ts';

describe('buildConnectSnippets', () => {
  const snippets = buildConnectSnippets({ origin: 'https://astromesh.example.com', org: 'acme', agent: 'support-bot' });
  const snippet = (id: string) => {
    const found = snippets.find((each) => each.id === id);
    if (!found) throw new Error(`no snippet ${id}`);
    return found;
  };

  it('gives the OpenAI client the org’s base URL and the agent as the model', () => {
    expect(snippet('openai').url).toBe('https://astromesh.example.com/api/v1/orgs/acme/v1');
    expect(snippet('openai').code).toContain("baseURL: 'https://astromesh.example.com/api/v1/orgs/acme/v1'");
    expect(snippet('openai').code).toContain("model: 'support-bot'");
  });

  it('gives MCP hosts the org’s endpoint in an mcp.json that parses', () => {
    const config = JSON.parse(snippet('mcp').code);

    expect(config.mcpServers.astromesh.url).toBe('https://astromesh.example.com/api/v1/orgs/acme/mcp');
    expect(config.mcpServers.astromesh.headers).toHaveProperty('X-API-Key');
  });

  it('points A2A clients at the agent’s card and starts background runs of the agent', () => {
    expect(snippet('a2a').url).toBe(
      'https://astromesh.example.com/api/v1/orgs/acme/a2a/support-bot/.well-known/agent-card.json',
    );
    expect(snippet('background-run').code).toContain(
      "'https://astromesh.example.com/api/v1/orgs/acme/agents/support-bot/runs'",
    );
  });

  it('never holds a key: every snippet reads it from the environment or asks for it', () => {
    for (const each of snippets) expect(each.code).not.toMatch(/ask-[A-Za-z0-9]/);
  });
});
