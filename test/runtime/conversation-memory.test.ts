import { describe, expect, it } from 'vitest';
import type { FakeProvider, RecordedRequest } from '../fakes/fake-provider.ts';
import { fakeReply } from '../fakes/fake-reply.ts';
import { jsonOf } from '../support/json-of.ts';
import { agentYaml, startTestRuntime, type TestRuntime } from '../support/start-test-runtime.ts';
import { createTestDatabase } from '../support/test-database.ts';
import { useRuntimeTestKit } from './use-runtime-test-kit.ts';

const messagesOf = (request: RecordedRequest) => request.body.messages as { role: string; content: unknown }[];

describe('conversation memory, through the HTTP API', () => {
  const kit = useRuntimeTestKit();
  const { cleanups } = kit;
  const { startFake } = kit;
  const startRuntimeWith = kit.runtime;

  /** An agent on the fake, with the given memory and prompt; a summarizer fake gets the summarizer role. */
  function aRememberingAgent(options: {
    fake: FakeProvider;
    memory: Record<string, unknown>;
    system?: string;
    summarizer?: FakeProvider;
  }): string {
    const candidateAt = (fake: FakeProvider, model: string) => ({
      candidates: [{ provider: 'openai', model, endpoint: fake.baseUrl }],
    });
    return agentYaml('rememberer', {
      model: {
        default: candidateAt(options.fake, 'chat-model'),
        ...(options.summarizer ? { roles: { summarizer: candidateAt(options.summarizer, 'summary-model') } } : {}),
      },
      prompts: { system: options.system ?? 'You are a friendly assistant.' },
      memory: { conversational: options.memory },
    });
  }

  /** Runs each query in turn in one session; the fake answers each with `re: <query>`. */
  async function converse(runtime: TestRuntime, fake: FakeProvider, queries: string[], session = 'sess-1') {
    for (const query of queries) {
      fake.enqueue(fakeReply.text(`re: ${query}`));
      const response = await runtime.request('/v1/agents/rememberer/run', {
        method: 'POST',
        body: JSON.stringify({ query, session_id: session }),
      });
      expect(response.status).toBe(200);
    }
  }

  const historyOf = async (runtime: TestRuntime, session = 'sess-1') =>
    (await jsonOf(await runtime.request(`/v1/memory/rememberer/history/${session}`))).messages;

  it('sliding_window: the model receives only the last window_size messages of the session', async () => {
    const fake = await startFake();
    const runtime = await startRuntimeWith({
      'a.yaml': aRememberingAgent({ fake, memory: { strategy: 'sliding_window', window_size: 3 } }),
    });

    await converse(runtime, fake, ['q1', 'q2', 'q3']);

    expect(messagesOf(fake.lastRequest)).toEqual([
      { role: 'system', content: 'You are a friendly assistant.' },
      { role: 'assistant', content: 're: q1' },
      { role: 'user', content: 'q2' },
      { role: 'assistant', content: 're: q2' },
      { role: 'user', content: 'q3' },
    ]);
    expect(await historyOf(runtime)).toHaveLength(6);
  });

  it('summary: once more than max_turns messages precede the last 5, asks the summarizer and sends the summary on', async () => {
    const fake = await startFake();
    const summarizer = await startFake();
    summarizer.enqueue(fakeReply.text('The user asked q1 and q2.'));
    const runtime = await startRuntimeWith({
      'a.yaml': aRememberingAgent({ fake, summarizer, memory: { strategy: 'summary', max_turns: 2 } }),
    });

    // After 3 runs, 6 messages: 1 before the last 5, not more than max_turns. After 4 runs, 3 are.
    await converse(runtime, fake, ['q1', 'q2', 'q3']);
    const summariesAfterThreeRuns = summarizer.requestCount;
    await converse(runtime, fake, ['q4', 'q5']);

    expect(summariesAfterThreeRuns).toBe(0);
    expect(summarizer.requestCount).toBe(1);
    expect(summarizer.lastRequest.body.model).toBe('summary-model');
    expect(messagesOf(summarizer.lastRequest).at(-1)?.content).toBe(
      'Conversation:\nuser: q1\nassistant: re: q1\nuser: q2',
    );
    expect(fake.requests.map((request) => request.body.model)).not.toContain('summary-model');
    // The provider adapter joins system messages into one system prompt.
    expect(messagesOf(fake.lastRequest)).toEqual([
      {
        role: 'system',
        content: 'You are a friendly assistant.\n\nSummary of the earlier conversation:\nThe user asked q1 and q2.',
      },
      { role: 'assistant', content: 're: q2' },
      { role: 'user', content: 'q3' },
      { role: 'assistant', content: 're: q3' },
      { role: 'user', content: 'q4' },
      { role: 'assistant', content: 're: q4' },
      { role: 'user', content: 'q5' },
    ]);
    expect(await historyOf(runtime)).toHaveLength(10);
  });

  it('summary: still answers when the summarizer fails, and summarises on a later run', async () => {
    const fake = await startFake();
    const summarizer = await startFake();
    // Two failures: the router tries a 500 once more before it gives up.
    summarizer.enqueue(fakeReply.failure(500), fakeReply.failure(500));
    summarizer.setDefaultReply(fakeReply.text('Summary after the outage.'));
    const runtime = await startRuntimeWith({
      'a.yaml': aRememberingAgent({ fake, summarizer, memory: { strategy: 'summary', max_turns: 2 } }),
    });
    await converse(runtime, fake, ['q1', 'q2', 'q3']);

    fake.enqueue(fakeReply.text('re: q4'));
    const failedSummaryRun = await runtime.request('/v1/agents/rememberer/run', {
      method: 'POST',
      body: JSON.stringify({ query: 'q4', session_id: 'sess-1' }),
    });
    await converse(runtime, fake, ['q5', 'q6']);

    expect(failedSummaryRun.status).toBe(200);
    expect(await jsonOf(failedSummaryRun)).toMatchObject({ response: 're: q4' });
    expect(summarizer.requestCount).toBe(3);
    expect(await historyOf(runtime)).toHaveLength(12);
    expect(JSON.stringify(messagesOf(fake.lastRequest))).toContain('Summary after the outage.');
  });

  it('token_budget: the model receives only the newest messages that fit max_tokens', async () => {
    const fake = await startFake();
    const runtime = await startRuntimeWith({
      'a.yaml': aRememberingAgent({ fake, memory: { strategy: 'token_budget', max_tokens: 12 } }),
    });
    // Four characters make a token: a 20-character question costs 5, its 24-character answer 6.
    const first = 'first question'.padEnd(20, '.');
    const second = 'second question'.padEnd(20, '.');

    await converse(runtime, fake, [first, second, 'third question']);

    expect(messagesOf(fake.lastRequest)).toEqual([
      { role: 'system', content: 'You are a friendly assistant.' },
      { role: 'user', content: second },
      { role: 'assistant', content: `re: ${second}` },
      { role: 'user', content: 'third question' },
    ]);
  });

  it('renders the history into {{ memory }} of the system prompt, and does not repeat it as messages', async () => {
    const fake = await startFake();
    const runtime = await startRuntimeWith({
      'a.yaml': aRememberingAgent({
        fake,
        memory: { strategy: 'sliding_window', window_size: 10 },
        system: 'You are a friendly assistant.\nThe conversation so far:\n{{ memory }}',
      }),
    });

    await converse(runtime, fake, ['My name is Ada.', 'What is my name?']);

    expect(messagesOf(fake.lastRequest)).toEqual([
      {
        role: 'system',
        content:
          'You are a friendly assistant.\nThe conversation so far:\nUser: My name is Ada.\nAssistant: re: My name is Ada.',
      },
      { role: 'user', content: 'What is my name?' },
    ]);
  });

  it('renders the summary into {{ memory }} too', async () => {
    const fake = await startFake();
    const summarizer = await startFake();
    summarizer.enqueue(fakeReply.text('Ada asked three things.'));
    const runtime = await startRuntimeWith({
      'a.yaml': aRememberingAgent({
        fake,
        summarizer,
        memory: { strategy: 'summary', max_turns: 2 },
        system: 'Memory:\n{{ memory }}',
      }),
    });

    await converse(runtime, fake, ['q1', 'q2', 'q3', 'q4', 'q5']);

    expect(messagesOf(fake.lastRequest)).toEqual([
      {
        role: 'system',
        content:
          'Memory:\nSummary of the earlier conversation:\nAda asked three things.\n\n' +
          'Assistant: re: q2\nUser: q3\nAssistant: re: q3\nUser: q4\nAssistant: re: q4',
      },
      { role: 'user', content: 'q5' },
    ]);
  });

  describe('the PostgreSQL backend', () => {
    async function createDatabase() {
      const database = await createTestDatabase();
      cleanups.push(() => database.drop());
      return database;
    }

    /** A runtime over the database that has this conversation and stops, as before a restart. */
    async function converseThenStop(
      agents: Record<string, string>,
      database: { url: string },
      fake: FakeProvider,
      messages: string[],
    ): Promise<void> {
      const first = await startTestRuntime({
        agents,
        credentials: { OPENAI_API_KEY: 'sk-test' },
        memoryUrl: database.url,
        memorySchema: 'org_acme',
      });
      try {
        await converse(first, fake, messages);
      } finally {
        await first.stop();
      }
    }

    it('keeps a session across a restart of the runtime', async () => {
      const database = await createDatabase();
      const fake = await startFake();
      const agents = {
        'a.yaml': aRememberingAgent({ fake, memory: { backend: 'postgres', strategy: 'sliding_window' } }),
      };
      await converseThenStop(agents, database, fake, ['My name is Ada.']);

      const second = await startRuntimeWith(agents, { memoryUrl: database.url, memorySchema: 'org_acme' });
      const history = await historyOf(second);
      await converse(second, fake, ['What is my name?']);

      expect(history).toEqual([
        { role: 'user', content: 'My name is Ada.' },
        { role: 'assistant', content: 're: My name is Ada.' },
      ]);
      expect(messagesOf(fake.lastRequest)).toEqual([
        { role: 'system', content: 'You are a friendly assistant.' },
        { role: 'user', content: 'My name is Ada.' },
        { role: 'assistant', content: 're: My name is Ada.' },
        { role: 'user', content: 'What is my name?' },
      ]);
    });

    it('is where an agent naming no backend remembers, when the runtime has a database', async () => {
      const database = await createDatabase();
      const fake = await startFake();
      const agents = { 'a.yaml': aRememberingAgent({ fake, memory: { strategy: 'sliding_window' } }) };
      await converseThenStop(agents, database, fake, ['Remember me.']);

      const second = await startRuntimeWith(agents, { memoryUrl: database.url, memorySchema: 'org_acme' });

      expect(await historyOf(second)).toEqual([
        { role: 'user', content: 'Remember me.' },
        { role: 'assistant', content: 're: Remember me.' },
      ]);
    });

    it('runs an agent with backend postgres without conversational memory when the runtime has no database, and warns, as upstream does', async () => {
      const fake = await startFake();
      const runtime = await startRuntimeWith({
        'pg-agent.yaml': aRememberingAgent({ fake, memory: { backend: 'postgres' } }),
      });

      const body = await jsonOf(await runtime.request('/v1/agents'));
      await converse(runtime, fake, ['My name is Ada.', 'What is my name?']);

      expect(body.agents).toEqual([
        expect.objectContaining({
          name: 'rememberer',
          status: 'ready',
          warnings: [
            'pg-agent.yaml: spec.memory.conversational.backend: postgres memory needs the runtime to be started with --memory postgres://…; without it the agent runs without conversational memory, as upstream does',
          ],
        }),
      ]);
      expect(messagesOf(fake.lastRequest)).toEqual([
        { role: 'system', content: 'You are a friendly assistant.' },
        { role: 'user', content: 'What is my name?' },
      ]);
      expect(await historyOf(runtime)).toEqual([]);
    });
  });
});
