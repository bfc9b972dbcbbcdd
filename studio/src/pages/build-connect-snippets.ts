/** One way to call an agent: what it is, the URL a client needs, and a block to copy. */
export interface ConnectSnippet {
  id: 'openai' | 'mcp' | 'a2a' | 'background-run';
  title: string;
  /** The one URL this way needs (base URL, endpoint or card), shown apart from the code. */
  url: string;
  urlLabel: string;
  language: 'js' | 'json' | 'sh';
  code: string;
}

/**
 * The copy-paste snippets of the Integrations page, with this org's real URLs (issue 16; the same
 * shapes as README's sections "OpenAI-compatible endpoint", "MCP endpoint", "A2A" and "Background
 * runs"). `origin` is where the page was loaded from: Studio is served by the API on its own
 * origin, so the API's URLs start there. The key is never in a snippet: each reads it from
 * ASTROMESH_API_KEY, so a copied snippet can be pasted anywhere.
 */
export function buildConnectSnippets(where: { origin: string; org: string; agent: string }): ConnectSnippet[] {
  const orgUrl = `${where.origin}/api/v1/orgs/${encodeURIComponent(where.org)}`;
  const agent = where.agent;
  const openAiBaseUrl = `${orgUrl}/v1`;
  const mcpUrl = `${orgUrl}/mcp`;
  const a2aCardUrl = `${orgUrl}/a2a/${encodeURIComponent(agent)}/.well-known/agent-card.json`;
  const runsUrl = `${orgUrl}/agents/${encodeURIComponent(agent)}/runs`;
  return [
    {
      id: 'openai',
      title: 'OpenAI client (Chat Completions)',
      url: openAiBaseUrl,
      urlLabel: 'Base URL',
      language: 'js',
      code: [
        "import OpenAI from 'openai';",
        '',
        `const client = new OpenAI({ baseURL: '${openAiBaseUrl}', apiKey: process.env.ASTROMESH_API_KEY });`,
        'const completion = await client.chat.completions.create({',
        `  model: '${agent}', // the agent's name`,
        "  messages: [{ role: 'user', content: 'Hello' }],",
        '});',
        'console.log(completion.choices[0].message.content);',
      ].join('\n'),
    },
    {
      id: 'mcp',
      title: 'MCP (Streamable HTTP), e.g. an IDE’s mcp.json',
      url: mcpUrl,
      urlLabel: 'Endpoint',
      language: 'json',
      code: JSON.stringify(
        { mcpServers: { astromesh: { url: mcpUrl, headers: { 'X-API-Key': '<your ask-… key>' } } } },
        null,
        2,
      ),
    },
    {
      id: 'a2a',
      title: 'A2A (agent card, JSON-RPC)',
      url: a2aCardUrl,
      urlLabel: 'Agent card',
      language: 'sh',
      code: `curl -sS '${a2aCardUrl}' \\\n  -H "X-API-Key: $ASTROMESH_API_KEY"`,
    },
    {
      id: 'background-run',
      title: 'Background run (curl)',
      url: runsUrl,
      urlLabel: 'Runs',
      language: 'sh',
      code: [
        `curl -sS '${runsUrl}' \\`,
        '  -H "X-API-Key: $ASTROMESH_API_KEY" -H \'content-type: application/json\' \\',
        `  -d '{"query": "Hello"}'`,
        '# answers 202 with the run: follow links.self for its result, links.events for its events',
      ].join('\n'),
    },
  ];
}
