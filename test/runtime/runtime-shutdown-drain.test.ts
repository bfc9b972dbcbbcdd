import { Agent, request } from 'undici';
import { afterEach, describe, expect, it } from 'vitest';
import type { FakeProvider } from '../fakes/fake-provider.ts';
import { startFakeProvider } from '../fakes/start-fake-provider.ts';
import { agentYaml, startTestRuntime, type TestRuntime } from '../support/start-test-runtime.ts';

// astromeshd stopping (as on SIGTERM in a rollout) while a keep-alive client, like the Cloud API's
// undici pool (api/backends/org-runtime/org-runtime-client.ts), keeps sending it runs: the drain of
// runtime/server/track-requests-in-flight.ts with the linger --shutdown-linger-seconds sets.
describe('astromeshd stopping under a keep-alive client', () => {
  const cleanups: (() => Promise<unknown> | unknown)[] = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });

  async function aRuntime(options: { lingerSeconds: number }): Promise<{ runtime: TestRuntime; openai: FakeProvider }> {
    const openai = await startFakeProvider('openai');
    cleanups.push(() => openai.close());
    const runtime = await startTestRuntime({
      agents: {
        'assistant.yaml': agentYaml('assistant', { model: { primary: { provider: 'openai', model: 'gpt-4o-mini' } } }),
      },
      credentials: { OPENAI_API_KEY: 'sk-test', OPENAI_BASE_URL: openai.baseUrl },
      shutdownLingerSeconds: options.lingerSeconds,
    });
    let stopped: Promise<void> | undefined;
    const stop = () => {
      stopped ??= runtime.stop();
      return stopped;
    };
    cleanups.push(stop);
    return { runtime: { ...runtime, stop }, openai };
  }

  /** One connection at most, kept alive between runs, as the Cloud API's pool reuses its own. */
  function aKeepAliveClient(): Agent {
    const client = new Agent({ connections: 1 });
    cleanups.push(() => client.destroy());
    return client;
  }

  /** POSTs a run; answers its status and Connection header, or how it failed. */
  async function postRun(url: string, client: Agent): Promise<string> {
    try {
      const response = await request(`${url}/v1/agents/assistant/run`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ query: 'hello' }),
        dispatcher: client,
      });
      await response.body.text();
      return `${response.statusCode} ${response.headers.connection}`;
    } catch (err) {
      return `failed: ${(err as Error).message}`;
    }
  }

  it('serves the runs a client sends back to back once stopping began, the first answered with Connection: close', async () => {
    const { runtime, openai } = await aRuntime({ lingerSeconds: 5 });
    const client = aKeepAliveClient();

    // Back to back on one connection; the stop begins between the third answer and the fourth
    // run, which goes out on the connection the third left idle.
    const answers: string[] = [];
    let stopped: Promise<void> | undefined;
    for (let sent = 1; sent <= 10; sent++) {
      if (sent === 4) stopped = runtime.stop();
      const answer = await postRun(runtime.url, client);
      answers.push(answer);
      if (answer !== '200 keep-alive') break;
    }
    await client.close();
    await stopped;

    expect(answers).toEqual(['200 keep-alive', '200 keep-alive', '200 keep-alive', '200 close']);
    expect(openai.requestCount).toBe(4);
  });

  it('cuts an idle connection at once with --shutdown-linger-seconds 0, failing the run sent on it', async () => {
    const { runtime, openai } = await aRuntime({ lingerSeconds: 0 });
    const client = aKeepAliveClient();
    await postRun(runtime.url, client);

    const stopped = runtime.stop();
    const answer = await postRun(runtime.url, client);
    await stopped;

    expect(answer).toMatch(/^failed: /);
    expect(openai.requestCount).toBe(1);
  });
});
