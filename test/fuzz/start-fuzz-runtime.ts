import { randomBytes } from 'node:crypto';
import type { FakeProvider } from '../fakes/fake-provider.ts';
import { startFakeProvider } from '../fakes/start-fake-provider.ts';
import { agentYaml, startTestRuntime, type TestRuntime } from '../support/start-test-runtime.ts';

export interface FuzzRuntime {
  runtime: TestRuntime;
  /** Counts the model calls: proof that the run route did real work. */
  openai: FakeProvider;
  /** `http://127.0.0.1:<port>/v1/openapi.json`. */
  schemaUrl: string;
  token: string;
  /** The agent the run, memory and agent routes are pointed at. */
  agent: string;
  stop(): Promise<void>;
}

const agent = 'assistant';

/**
 * astromeshd as the fuzz suites find it: a bearer token, and one agent with tools and memory whose
 * model is the fake OpenAI server, so a fuzzed run is a real run.
 */
export async function startFuzzRuntime(): Promise<FuzzRuntime> {
  const openai = await startFakeProvider('openai', { maxRecordedRequests: 10 });
  const token = randomBytes(24).toString('base64url');
  try {
    const runtime = await startTestRuntime({
      agents: {
        [`${agent}.yaml`]: agentYaml(agent, {
          model: { primary: { provider: 'openai', model: 'gpt-4o-mini' } },
          prompts: { system: 'You help {{ user_name | default: "everyone" }}.' },
          tools: [{ name: 'calculator' }, { name: 'datetime_now' }],
        }),
      },
      credentials: { OPENAI_API_KEY: 'sk-fuzz', OPENAI_BASE_URL: openai.baseUrl },
      authToken: token,
    });
    return {
      runtime,
      openai,
      schemaUrl: `${runtime.url}/v1/openapi.json`,
      token,
      agent,
      async stop() {
        await runtime.stop();
        await openai.close();
      },
    };
  } catch (err) {
    await openai.close();
    throw err;
  }
}
