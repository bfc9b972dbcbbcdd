import { type Dispatcher, fetch as undiciFetch } from 'undici';

/**
 * One run of `agent` over `baseUrl`'s POST /v1/agents/{agent}/run (ours and upstream's alike),
 * with the query the fake's direct call sends; resolves with the body, rejects on a non-2xx.
 */
export async function runBenchAgent(baseUrl: string, agent: string, dispatcher: Dispatcher): Promise<string> {
  const response = await undiciFetch(`${baseUrl}/v1/agents/${agent}/run`, {
    dispatcher,
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ query: 'Say something.' }),
  });
  const body = await response.text();
  if (!response.ok) throw new Error(`runtime answered ${response.status}: ${body}`);
  return body;
}
