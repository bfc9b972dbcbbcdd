import type { FuzzTarget, OperationSettings } from './run-schemathesis.ts';
import type { FuzzApi, FuzzOrg } from './start-fuzz-api.ts';

// schemathesis's own list of statuses that count as refusing bad input, plus 413: a body past the
// API's limit is refused before it is read, which is as much a refusal as a 400.
const refusals = ['400', '401', '403', '404', '405', '406', '409', '413', '415', '422', '428', '429'];

/**
 * The Cloud API fuzzed twice, with the fuzzer's JWT and with an admin API key. Every operation
 * is fuzzed; none is excluded. What keeps the fuzzer from sabotaging its own run is where it
 * works (startFuzzApi's three orgs) and schemathesis_hooks.py (it never revokes its own keys).
 */
export function apiFuzzTargets(api: FuzzApi): FuzzTarget[] {
  const asKey = (org: FuzzOrg) => ({ 'X-API-Key': org.apiKey.secret });
  const hookEnv = {
    FUZZ_PROTECTED_KEY_IDS: [api.main, api.providers, api.runs].map((org) => org.apiKey.id).join(','),
  };
  const operations = (credentials: 'jwt' | 'apiKey'): OperationSettings[] => [
    {
      pathRegex: '^/orgs/\\{slug\\}/providers',
      reason: 'Provider keys change in an org of their own, so run/test keep the key of their model.',
      parameters: { 'path.slug': api.providers.slug },
      ...(credentials === 'apiKey' ? { headers: asKey(api.providers) } : {}),
    },
    {
      pathRegex: '^/orgs/\\{slug\\}/(agents/\\{name\\}/(run|test|runs)|usage)$',
      reason:
        'run/test and background runs call the deployed agent (real runs on the fake OpenAI); no other route ' +
        'touches its org.',
      parameters: { 'path.slug': api.runs.slug, 'path.name': api.runs.agent },
      ...(credentials === 'apiKey' ? { headers: asKey(api.runs) } : {}),
    },
    {
      pathRegex: '^/orgs/\\{slug\\}/agents(/\\{name\\})?$',
      reason:
        'A system_prompt must be a template that parses, which JSON Schema cannot say: the API answers ' +
        '422 validation_failed naming the field, and the document lists that 422. step3.mcp_servers must name ' +
        "servers the org has (its state, not the document's): 400 naming step3.mcp_servers[i].",
      checks: {
        positive_data_acceptance: { 'expected-statuses': ['2xx', '400', '401', '403', '404', '409', '422', '429'] },
      },
    },
    {
      pathRegex: '^/orgs/\\{slug\\}/agents/\\{name\\}/webhooks$',
      reason:
        'A webhook template must parse as Liquid, which JSON Schema cannot say (422 naming the field, listed); an ' +
        'agent has at most 10 webhooks (409 webhook_limit_reached, listed).',
      checks: { positive_data_acceptance: { 'expected-statuses': ['2xx', '401', '403', '404', '409', '422', '429'] } },
    },
    {
      pathRegex: '^/orgs/\\{slug\\}/agents/\\{name\\}/schedules(/\\{schedule_id\\})?$',
      reason:
        'A cron expression must parse and tick at most once a minute, and a time zone must be an IANA one, which ' +
        'JSON Schema cannot say: the API answers 400 naming cron or timezone (listed); an agent has at most 10 ' +
        'schedules (409 schedule_limit_reached, listed).',
      checks: { positive_data_acceptance: { 'expected-statuses': ['2xx', '400', '401', '403', '404', '409', '429'] } },
    },
    {
      pathRegex: '^/orgs/\\{slug\\}/v1/chat/completions$',
      reason:
        'The last user message is the query: there must be one, with text that is not empty, which JSON Schema ' +
        'cannot say of a list of messages; the API answers 400 naming the message (as OpenAI would), and the ' +
        'document lists that 400.',
      checks: { positive_data_acceptance: { 'expected-statuses': ['2xx', '400', '401', '403', '404', '429'] } },
    },
    {
      pathRegex: '^/orgs/\\{slug\\}/mcp$',
      reason:
        'MCP Streamable HTTP: a POST must accept both application/json and text/event-stream (a header of the ' +
        'protocol, not of the document), which every case here sends as an MCP client does, so the fuzzer ' +
        'reaches the JSON-RPC handling behind that check; the endpoint is stateless, so GET (a server-to-client ' +
        'stream) is always 405. The document lists both.',
      headers: { Accept: 'application/json, text/event-stream' },
      checks: { positive_data_acceptance: { 'expected-statuses': ['2xx', '401', '403', '405', '406', '429'] } },
    },
    {
      pathRegex: '^/orgs/\\{slug\\}/a2a/\\{name\\}',
      reason:
        'An A2A call names its method inside the JSON-RPC body, and what params that method takes, which the ' +
        'envelope schema cannot say: an unknown method (-32601) or params that do not fit it (-32602) are a 400; ' +
        "this org's agents are drafts or missing (400 agent_not_deployed, 404), as the document lists.",
      checks: { positive_data_acceptance: { 'expected-statuses': ['2xx', '400', '401', '403', '404', '429'] } },
    },
    {
      pathRegex: '^/auth/((google|github)|\\{provider\\}/(start|callback))$',
      reason:
        'Sign-in through a provider answers 501 not_implemented while none is configured (as here), as seed 003 ' +
        'says and the document lists.',
      checks: { not_a_server_error: { 'expected-statuses': ['2xx', '3xx', '4xx', '501'] } },
    },
    ...(credentials === 'jwt'
      ? [
          {
            pathRegex: '^/auth/logout$',
            reason: 'Logout ends a session of its own: the first one succeeds, the rest answer 401.',
            headers: { Authorization: `Bearer ${api.logoutToken}` },
          },
        ]
      : []),
  ];
  const common = {
    schemaUrl: api.schemaUrl,
    parameters: { 'path.slug': api.main.slug },
    checks: { negative_data_rejection: { 'expected-statuses': refusals } },
    hookEnv,
  };
  return [
    {
      ...common,
      name: 'Cloud API, JWT',
      headers: { Authorization: `Bearer ${api.token}` },
      operations: operations('jwt'),
    },
    { ...common, name: 'Cloud API, API key', headers: asKey(api.main), operations: operations('apiKey') },
  ];
}
