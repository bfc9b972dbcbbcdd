import { type Dispatcher, fetch as undiciFetch } from 'undici';

/**
 * The Chat Completions request a runtime makes for one run of a bench agent (JSON, not streamed),
 * sent straight to the fake: the floor a runtime's latency is measured against.
 */
export async function callFakeDirectly(baseUrl: string, dispatcher: Dispatcher): Promise<void> {
  const response = await undiciFetch(`${baseUrl}/chat/completions`, {
    dispatcher,
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: 'Bearer sk-bench' },
    body: JSON.stringify({
      model: 'gpt-4o-mini',
      messages: [
        { role: 'system', content: 'You are a benchmark agent.' },
        { role: 'user', content: 'Say something.' },
      ],
    }),
  });
  await response.text();
  if (!response.ok) throw new Error(`fake answered ${response.status}`);
}
