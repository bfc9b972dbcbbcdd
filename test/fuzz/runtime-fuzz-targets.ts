import type { FuzzTarget } from './run-schemathesis.ts';
import type { FuzzRuntime } from './start-fuzz-runtime.ts';

// schemathesis's own list of statuses that count as refusing bad input, plus 413: a body past the
// runtime's limit is refused before it is read, which is as much a refusal as a 400.
const refusals = ['400', '401', '403', '404', '405', '406', '409', '413', '415', '422', '428', '429'];

// Built-in tools that send requests (HTTP, SMTP): schemathesis_hooks.py sends them no input, so
// a fuzzed URL never leaves this machine.
export const networkTools = [
  'http_request',
  'graphql_query',
  'web_search',
  'web_scrape',
  'wikipedia',
  'send_webhook',
  'send_slack',
  'send_email',
];

/**
 * astromeshd's /v1 API fuzzed with its bearer token. Every operation is fuzzed; none is
 * excluded. The agent routes are pointed at the one agent, so runs are real runs.
 */
export function runtimeFuzzTargets(runtime: FuzzRuntime): FuzzTarget[] {
  return [
    {
      name: 'astromeshd /v1, bearer token',
      schemaUrl: runtime.schemaUrl,
      headers: { Authorization: `Bearer ${runtime.token}` },
      parameters: { 'path.name': runtime.agent, 'path.agent': runtime.agent },
      checks: { negative_data_rejection: { 'expected-statuses': refusals } },
      operations: [
        {
          pathRegex: '^/tools/execute$',
          reason:
            'A tool judges its input past its schema (an expression that does not parse: 400), refuses a ' +
            'target (403) or lacks config (422, sql_query without a database): answers the document lists.',
          checks: {
            positive_data_acceptance: { 'expected-statuses': ['2xx', '400', '401', '403', '404', '409', '422', '429'] },
          },
        },
        {
          pathRegex: '^/rag/ingest$',
          reason:
            'chunk_overlap must be less than chunk_size, a rule between two fields that JSON Schema cannot ' +
            'state: a body that breaks it is a 400 naming chunk_overlap, as the document lists.',
          checks: {
            positive_data_acceptance: { 'expected-statuses': ['2xx', '400', '401', '403', '404', '409', '422', '429'] },
          },
        },
      ],
      hookEnv: { FUZZ_NETWORK_TOOLS: networkTools.join(',') },
    },
  ];
}
