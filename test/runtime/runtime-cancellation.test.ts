import { describe, expect, it } from 'vitest';
import { fakeReply } from '../fakes/fake-reply.ts';
import { eventually } from '../support/eventually.ts';
import { jsonOf } from '../support/json-of.ts';
import { agentYaml, startRuntimeOnFakeOpenAi, type TestRuntime } from '../support/start-test-runtime.ts';
import { useRuntimeTestKit } from './use-runtime-test-kit.ts';

const assistant = () =>
  agentYaml('assistant', {
    model: { primary: { provider: 'openai', model: 'gpt-4o-mini' } },
  });

describe('cancelling an astromeshd run over HTTP', () => {
  const { cleanups } = useRuntimeTestKit();

  const setup = () => startRuntimeOnFakeOpenAi(cleanups, { agents: { 'assistant.yaml': assistant() } });

  const activeRunsOf = async (runtime: TestRuntime) =>
    (await jsonOf(await runtime.request('/v1/system/status'))).active_runs;

  it('cancels the model request when the client aborts a run before the model answers', async () => {
    const { runtime, openai } = await setup();
    openai.enqueue(fakeReply.hang());
    const client = new AbortController();
    const response = runtime.request('/v1/agents/assistant/run', {
      method: 'POST',
      body: JSON.stringify({ query: 'Hi' }),
      signal: client.signal,
    });
    const settled = response.then(
      () => 'answered',
      (err: Error) => err.name,
    );
    // The fake records a request once it has read the body; from then on it sees the client leave.
    await eventually(() => expect(openai.requestCount).toBe(1));

    client.abort();

    expect(await settled).toBe('AbortError');
    await eventually(() => expect(openai.lastRequest.wasAbortedByClient).toBe(true));
    await eventually(async () => expect(await activeRunsOf(runtime)).toBe(0));
  });
});
