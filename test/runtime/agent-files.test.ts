import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { ProviderName } from '../../runtime/config/agent-schema.ts';
import type { FakeProvider } from '../fakes/fake-provider.ts';
import { fakeReply } from '../fakes/fake-reply.ts';
import { startFakeProvider } from '../fakes/start-fake-provider.ts';
import { eventually } from '../support/eventually.ts';
import { jsonOf } from '../support/json-of.ts';
import { agentYaml, startTestRuntime, type TestRuntime } from '../support/start-test-runtime.ts';
import { useRuntimeTestKit } from './use-runtime-test-kit.ts';

const fixturesDir = new URL('../fixtures/agents/', import.meta.url).pathname;

/** Every upstream-style agent file of test/fixtures/agents, by file name. */
const fixtureAgents = (): Record<string, string> =>
  Object.fromEntries(
    readdirSync(fixturesDir)
      .filter((name) => name.endsWith('.yaml'))
      .map((name) => [name, readFileSync(join(fixturesDir, name), 'utf8')]),
  );

const providers = ['openai', 'anthropic', 'groq', 'mistral', 'cohere', 'ollama', 'openai_compat'] as const;

// Each fake insists on its provider's own key, so a run that reaches it proves the key went along.
const providerKeys: Record<(typeof providers)[number], { name: string; value: string } | undefined> = {
  openai: { name: 'OPENAI_API_KEY', value: 'sk-openai-test' },
  anthropic: { name: 'ANTHROPIC_API_KEY', value: 'sk-ant-test' },
  groq: { name: 'GROQ_API_KEY', value: 'gsk-test' },
  mistral: { name: 'MISTRAL_API_KEY', value: 'mistral-test' },
  cohere: { name: 'COHERE_API_KEY', value: 'cohere-test' },
  ollama: undefined,
  // fanout-analyst.yaml names its gateway key with api_key_env.
  openai_compat: { name: 'GATEWAY_API_KEY', value: 'gateway-test' },
};

const baseUrlCredential = (provider: ProviderName) => `${provider.toUpperCase()}_BASE_URL`;

/** The text of everything a fake was sent, to look for prompts whatever the provider's wire format. */
const sentText = (fake: FakeProvider) => fake.requests.map((request) => JSON.stringify(request.body)).join('\n');

describe('agent files', () => {
  const { cleanups, startFake } = useRuntimeTestKit();

  async function startFakes(): Promise<Record<(typeof providers)[number], FakeProvider>> {
    const started = await Promise.all(
      providers.map((provider) => startFakeProvider(provider, { apiKey: providerKeys[provider]?.value })),
    );
    for (const fake of started) cleanups.push(() => fake.close());
    return Object.fromEntries(started.map((fake) => [fake.provider, fake])) as Record<
      (typeof providers)[number],
      FakeProvider
    >;
  }

  async function startRuntimeWith(fakes: Record<string, FakeProvider>, agents: Record<string, string>) {
    const credentials: Record<string, string> = {};
    for (const fake of Object.values(fakes)) {
      credentials[baseUrlCredential(fake.provider)] = fake.baseUrl;
      const key = providerKeys[fake.provider];
      if (key) credentials[key.name] = key.value;
    }
    const runtime = await startTestRuntime({ agents, credentials });
    cleanups.push(() => runtime.stop());
    return runtime;
  }

  const run = (runtime: TestRuntime, agent: string, body: Record<string, unknown>) =>
    runtime.request(`/v1/agents/${agent}/run`, { method: 'POST', body: JSON.stringify(body) });

  describe('the upstream-style files in test/fixtures/agents', () => {
    it('all load, with status ready', async () => {
      const fakes = await startFakes();
      const runtime = await startRuntimeWith(fakes, fixtureAgents());

      const body = await jsonOf(await runtime.request('/v1/agents'));

      expect(body.agents).toEqual([
        expect.objectContaining({ name: 'fanout-analyst', orchestration: 'parallel_fan_out', status: 'ready' }),
        expect.objectContaining({ name: 'front-door-swarm', orchestration: 'swarm', status: 'ready' }),
        expect.objectContaining({ name: 'help-desk-supervisor', orchestration: 'supervisor', status: 'ready' }),
        expect.objectContaining({ name: 'local-pipeline', orchestration: 'pipeline', status: 'ready' }),
        expect.objectContaining({ name: 'research-planner', orchestration: 'plan_and_execute', status: 'ready' }),
        expect.objectContaining({ name: 'support-assistant', orchestration: 'react', status: 'ready' }),
      ]);
      expect(body.agents.filter((agent: { error?: string }) => agent.error !== undefined)).toEqual([]);
    });

    it('runs support-assistant (react) on OpenAI, with its prompt variables and tools', async () => {
      const fakes = await startFakes();
      fakes.openai.enqueue(
        fakeReply.toolCall('calculator', { expression: '3 * 19.99' }),
        fakeReply.text('Three items cost 59.97.'),
      );
      const runtime = await startRuntimeWith(fakes, fixtureAgents());

      const response = await run(runtime, 'support-assistant', {
        query: 'What do three items at 19.99 cost?',
        context: { company: 'Globex', plan: 'pro' },
      });
      const body = await jsonOf(response);

      expect(response.status).toBe(200);
      expect(body).toMatchObject({ response: 'Three items cost 59.97.', provider: 'openai' });
      expect(body.tool_calls).toEqual([expect.objectContaining({ tool: 'calculator', success: true })]);
      expect(fakes.openai.requestCount).toBe(2);
      expect(fakes.openai.lastRequest.body.model).toBe('gpt-4o-mini');
      expect(sentText(fakes.openai)).toContain("You are Globex's support assistant");
      expect(sentText(fakes.openai)).toContain("The customer's plan: pro.");
      expect(fakes.anthropic.requestCount).toBe(0);
    });

    it('reports web_search without SEARCH_API_KEY as a failed tool call, and support-assistant still answers', async () => {
      const fakes = await startFakes();
      fakes.openai.enqueue(
        fakeReply.toolCall('web_search', { query: 'order 1234 delivery status' }),
        fakeReply.text('I cannot search right now; please check your order page.'),
      );
      const runtime = await startRuntimeWith(fakes, fixtureAgents());

      const response = await run(runtime, 'support-assistant', { query: 'Where is order 1234?' });
      const body = await jsonOf(response);

      expect(response.status).toBe(200);
      expect(body.response).toBe('I cannot search right now; please check your order page.');
      expect(body.tool_calls).toEqual([
        {
          tool: 'web_search',
          input: { query: 'order 1234 delivery status' },
          output: { error: { code: 'not_configured', message: expect.stringContaining('SEARCH_API_KEY') } },
          success: false,
        },
      ]);
      expect(JSON.stringify(fakes.openai.lastRequest.body.messages)).toContain('not_configured');
    });

    it('runs research-planner (plan_and_execute): planner on Groq, steps on Anthropic, synthesis on Mistral', async () => {
      const fakes = await startFakes();
      fakes.groq.enqueue(fakeReply.text('{"steps": ["Compute the growth", "Summarise it"]}'));
      fakes.anthropic.enqueue(
        fakeReply.toolCall('calculator', { expression: '(120 - 100) / 100 * 100' }),
        fakeReply.text('Growth was 20 percent.'),
        fakeReply.text('Revenue grew by a fifth.'),
      );
      fakes.mistral.enqueue(fakeReply.text('Revenue grew 20% year over year.'));
      const runtime = await startRuntimeWith(fakes, fixtureAgents());

      const response = await run(runtime, 'research-planner', { query: 'Revenue went from 100 to 120. Growth?' });
      const body = await jsonOf(response);

      expect(response.status).toBe(200);
      expect(body).toMatchObject({ response: 'Revenue grew 20% year over year.', provider: 'mistral' });
      expect(body.tool_calls).toEqual([expect.objectContaining({ tool: 'calculator', success: true })]);
      expect(fakes.groq.requests.map((request) => request.body.model)).toEqual(['llama-3.3-70b-versatile']);
      expect(fakes.anthropic.requests.map((request) => request.body.model)).toEqual([
        'claude-sonnet-4-20250514',
        'claude-sonnet-4-20250514',
        'claude-sonnet-4-20250514',
      ]);
      expect(fakes.mistral.requests.map((request) => request.body.model)).toEqual(['mistral-large-latest']);
      expect(sentText(fakes.anthropic)).toContain('You are a careful research assistant.');
      expect(fakes.openai.requestCount).toBe(0);
    });

    it('runs fanout-analyst (parallel_fan_out) round robin across Cohere and the OpenAI-compatible gateway', async () => {
      const fakes = await startFakes();
      // round_robin rotates per call: planner → Cohere, workers → gateway and Cohere, synthesis → gateway.
      fakes.cohere.enqueue(fakeReply.text('{"subtasks": ["Cost", "Risk"]}'), fakeReply.text('A finding.'));
      fakes.openai_compat.enqueue(fakeReply.text('A finding.'), fakeReply.text('Cheap and safe enough.'));
      const runtime = await startRuntimeWith(fakes, fixtureAgents());

      const response = await run(runtime, 'fanout-analyst', { query: 'Should we adopt the new vendor?' });
      const body = await jsonOf(response);

      expect(response.status).toBe(200);
      expect(body).toMatchObject({ response: 'Cheap and safe enough.', provider: 'openai_compat' });
      expect(fakes.cohere.requests.map((request) => request.body.model)).toEqual(['command-r-plus', 'command-r-plus']);
      expect(fakes.openai_compat.requests.map((request) => request.body.model)).toEqual([
        'meta-llama/Llama-3.1-8B-Instruct',
        'meta-llama/Llama-3.1-8B-Instruct',
      ]);
      expect(`${sentText(fakes.cohere)}\n${sentText(fakes.openai_compat)}`).toContain(
        'Work on this subtask of the request: Risk',
      );
      expect(sentText(fakes.openai_compat)).toContain('Subtask 1 (Cost): A finding.');
    });

    it('runs local-pipeline (pipeline) on Ollama, its process stage using a tool', async () => {
      const fakes = await startFakes();
      fakes.ollama.enqueue(
        fakeReply.text('The user wants the names from the list.'),
        fakeReply.toolCall('json_transform', {
          data: { users: [{ name: 'Ada' }, { name: 'Alan' }] },
          template: '{{ data.users | map: "name" | join: ", " }}',
        }),
        fakeReply.text('The names are Ada, Alan.'),
        fakeReply.text('Ada and Alan.'),
      );
      const runtime = await startRuntimeWith(fakes, fixtureAgents());

      const response = await run(runtime, 'local-pipeline', { query: 'Who is on the list?' });
      const body = await jsonOf(response);

      expect(response.status).toBe(200);
      expect(body).toMatchObject({ response: 'Ada and Alan.', provider: 'ollama' });
      expect(body.tool_calls).toEqual([
        expect.objectContaining({ tool: 'json_transform', output: 'Ada, Alan', success: true }),
      ]);
      expect(fakes.ollama.requests.map((request) => request.body.model)).toEqual([
        'llama3.1:8b',
        'llama3.1:8b',
        'llama3.1:8b',
        'llama3.1:8b',
      ]);
      expect(sentText(fakes.ollama)).toContain('Analyse carefully and answer in plain language.');
    });

    it('runs help-desk-supervisor (supervisor) on Mistral, delegating to support-assistant on OpenAI', async () => {
      const fakes = await startFakes();
      fakes.mistral.enqueue(
        fakeReply.toolCall('ask_support', { query: 'Refund for three items at 19.99?' }),
        fakeReply.text('Support says the refund is 59.97.'),
      );
      fakes.openai.enqueue(fakeReply.text('The refund is 59.97.'));
      const runtime = await startRuntimeWith(fakes, fixtureAgents());

      const body = await jsonOf(await run(runtime, 'help-desk-supervisor', { query: 'How much do I get back?' }));

      expect(body).toMatchObject({ response: 'Support says the refund is 59.97.', provider: 'mistral' });
      expect(body.tool_calls).toEqual([
        {
          tool: 'ask_support',
          input: { query: 'Refund for three items at 19.99?' },
          output: { answer: 'The refund is 59.97.' },
          success: true,
        },
      ]);
      expect(sentText(fakes.openai)).toContain('Refund for three items at 19.99?');
      expect(sentText(fakes.openai)).toContain("You are Acme's support assistant");
      expect(fakes.ollama.requestCount).toBe(0);
    });

    it('runs front-door-swarm (swarm) on Groq: a client card, then a hand-off whose answer is final', async () => {
      const fakes = await startFakes();
      fakes.groq.enqueue(
        fakeReply.toolCall('show_card', { title: 'Welcome' }),
        fakeReply.toolCall('to_support', { query: 'Where is order 1234?' }),
      );
      fakes.openai.enqueue(fakeReply.text('Order 1234 ships tomorrow.'));
      const runtime = await startRuntimeWith(fakes, fixtureAgents());

      const body = await jsonOf(await run(runtime, 'front-door-swarm', { query: 'Hi, where is my order 1234?' }));

      expect(body.response).toBe('Order 1234 ships tomorrow.');
      expect(body.tool_calls.map((call: { tool: string; output: unknown }) => [call.tool, call.output])).toEqual([
        ['show_card', { ok: true }],
        ['to_support', { answer: 'Order 1234 ships tomorrow.' }],
      ]);
      expect(fakes.groq.requestCount).toBe(2);
      expect(sentText(fakes.openai)).toContain('Request: Where is order 1234?');
    });
  });

  describe('hostile files', () => {
    const fileOf = (name: string, extra = '') =>
      `apiVersion: astromesh/v1\nkind: Agent\nmetadata: {name: ${name}}\nspec:\n  model:\n    primary: {provider: openai, model: gpt-4o-mini}\n${extra}`;
    const withToolConfig = (name: string, config: string) =>
      fileOf(name, `  tools:\n    - name: calculator\n      config: ${config}\n`);
    // Ten levels of nine aliases each: 9^10 (3.4 billion) values from under 1 KB of text.
    const aliasBomb = (name: string) =>
      fileOf(
        name,
        `  tools:\n    - name: calculator\n      config:\n        l0: &l0 "lol"\n${Array.from({ length: 10 }, (_, level) => `        l${level + 1}: &l${level + 1} [${Array(9).fill(`*l${level}`).join(', ')}]`).join('\n')}\n`,
      );

    async function startWith(agents: Record<string, string>) {
      const openai = await startFake('openai');
      openai.setDefaultReply(fakeReply.text('Hello.'));
      return { openai, runtime: await startRuntimeWith({ openai }, agents) };
    }

    it('each become that file’s load error naming the field, and the other agents load and run', async () => {
      const huge = fileOf('huge', `# ${'x'.repeat(2 * 1024 * 1024)}\n`);
      const { runtime, openai } = await startWith({
        'good.yaml': fileOf('good'),
        'bomb.yaml': aliasBomb('bomb'),
        'cycle.yaml': withToolConfig('cycle', '&loop {again: *loop}'),
        'deep.yaml': withToolConfig('deep', `${'{a: '.repeat(40)}1${'}'.repeat(40)}`),
        'nul.yaml': fileOf('nul', '  prompts: {system: "You are\\0 helpful."}\n'),
        'huge.yaml': huge,
        'list.yaml': '- not\n- a mapping\n',
      });
      // A FIFO never has an end: reading it as a file would stall every later scan.
      execFileSync('mkfifo', [join(runtime.agentsDir, 'pipe.yaml')]);

      const agents = await eventually(async () => {
        const listed = await listedAgents(runtime);
        expect(listed.map((agent: { name: string }) => agent.name)).toContain('pipe');
        return listed;
      });

      expect(agents).toEqual([
        expect.objectContaining({
          name: 'bomb',
          status: 'error',
          error: expect.stringMatching(/^bomb\.yaml: spec\.tools\[0\]\.config\.l\d+(\[\d\])*: more than 100000 values/),
        }),
        expect.objectContaining({
          name: 'cycle',
          error: expect.stringMatching(
            /^cycle\.yaml: spec\.tools\[0\]\.config(\.again)+: nested deeper than 32 levels$/,
          ),
        }),
        expect.objectContaining({
          name: 'deep',
          error: expect.stringMatching(/^deep\.yaml: spec\.tools\[0\]\.config(\.a)+: nested deeper than 32 levels$/),
        }),
        expect.objectContaining({ name: 'good', status: 'ready' }),
        expect.objectContaining({
          name: 'huge',
          error: `huge.yaml: (document): the file is ${Buffer.byteLength(huge)} bytes, more than the 1048576 an agent file may have`,
        }),
        expect.objectContaining({
          name: 'list',
          error: expect.stringMatching(/^list\.yaml: \(document\): Invalid input: expected object/),
        }),
        expect.objectContaining({ name: 'nul', error: 'nul.yaml: spec.prompts.system: must not contain NUL (U+0000)' }),
        expect.objectContaining({ name: 'pipe', error: 'pipe.yaml: (document): not a regular file' }),
      ]);
      expect(agents.find((agent: { name: string }) => agent.name === 'good')).not.toHaveProperty('error');
      const response = await run(runtime, 'good', { query: 'Still serving?' });
      expect(response.status).toBe(200);
      expect(openai.requestCount).toBe(1);
      expect((await run(runtime, 'bomb', { query: 'Hi' })).status).toBe(503);
    });

    it('keeps running the last good version when its file turns into an alias bomb', async () => {
      const { runtime, openai } = await startWith({ 'hot.yaml': fileOf('hot') });
      expect((await run(runtime, 'hot', { query: 'Before' })).status).toBe(200);

      runtime.writeAgent('hot.yaml', aliasBomb('hot'));

      const [listed] = await eventually(async () => {
        const agents = await listedAgents(runtime);
        expect(agents).toEqual([expect.objectContaining({ name: 'hot', error: expect.any(String) })]);
        return agents;
      });
      expect(listed).toMatchObject({ status: 'ready', model: 'openai/gpt-4o-mini' });
      expect(listed.error).toMatch(/^hot\.yaml: spec\.tools\[0\]\.config\.l\d+(\[\d\])*: more than 100000 values/);
      expect((await run(runtime, 'hot', { query: 'After' })).status).toBe(200);
      expect(openai.requestCount).toBe(2);
    });
  });

  const listedAgents = async (runtime: TestRuntime) => (await jsonOf(await runtime.request('/v1/agents'))).agents;

  describe('hot reload through the API', () => {
    async function setup(agents: Record<string, string> = {}) {
      const openai = await startFake('openai');
      openai.setDefaultReply(fakeReply.text('Hello.'));
      const runtime = await startRuntimeWith({ openai }, agents);
      return { openai, runtime };
    }

    const aHotAgent = (model = 'gpt-4o-mini', spec: Record<string, unknown> = {}, name = 'hot') =>
      agentYaml(name, { model: { primary: { provider: 'openai', model } }, ...spec });

    it('loads an added file: it is listed and runs', async () => {
      const { runtime, openai } = await setup();

      runtime.writeAgent('hot.yaml', aHotAgent());

      await eventually(async () =>
        expect(await listedAgents(runtime)).toEqual([expect.objectContaining({ name: 'hot', status: 'ready' })]),
      );
      const response = await run(runtime, 'hot', { query: 'Hi' });
      expect(response.status).toBe(200);
      expect(await jsonOf(response)).toMatchObject({ response: 'Hello.' });
      expect(openai.requestCount).toBe(1);
    });

    it('sends the next run to the new model after the file changes it', async () => {
      const { runtime, openai } = await setup({ 'hot.yaml': aHotAgent('gpt-4o-mini') });
      await run(runtime, 'hot', { query: 'Before' });

      runtime.writeAgent('hot.yaml', aHotAgent('gpt-4.1'));

      await eventually(async () =>
        expect(await listedAgents(runtime)).toEqual([expect.objectContaining({ model: 'openai/gpt-4.1' })]),
      );
      const body = await jsonOf(await run(runtime, 'hot', { query: 'After' }));
      expect(body.model).toBe('openai/gpt-4.1');
      expect(openai.requests.map((request) => request.body.model)).toEqual(['gpt-4o-mini', 'gpt-4.1']);
    });

    it('keeps the sessions of an agent whose file changed', async () => {
      const { runtime, openai } = await setup({ 'hot.yaml': aHotAgent('gpt-4o-mini') });
      await run(runtime, 'hot', { query: 'My name is Ada.', session_id: 'sess-1' });

      runtime.writeAgent('hot.yaml', aHotAgent('gpt-4.1'));

      await eventually(async () =>
        expect(await listedAgents(runtime)).toEqual([expect.objectContaining({ model: 'openai/gpt-4.1' })]),
      );
      await run(runtime, 'hot', { query: 'What is my name?', session_id: 'sess-1' });
      expect(openai.lastRequest.body.messages).toEqual([
        { role: 'user', content: 'My name is Ada.' },
        { role: 'assistant', content: 'Hello.' },
        { role: 'user', content: 'What is my name?' },
      ]);
    });

    it('forgets a removed file: the agent is gone and running it answers 404', async () => {
      const { runtime } = await setup({ 'hot.yaml': aHotAgent() });
      // Listed and runnable first: otherwise an agent that never loaded would pass as forgotten.
      expect(await listedAgents(runtime)).toEqual([expect.objectContaining({ name: 'hot', status: 'ready' })]);
      expect((await run(runtime, 'hot', { query: 'Hi' })).status).toBe(200);

      runtime.removeAgent('hot.yaml');

      await eventually(async () => expect(await listedAgents(runtime)).toEqual([]));
      const response = await run(runtime, 'hot', { query: 'Hi' });
      expect(response.status).toBe(404);
      expect(await jsonOf(response)).toMatchObject({ error: 'agent_not_found', status: 404 });
    });

    it('keeps running the last good version when the file becomes invalid YAML, and lists the error', async () => {
      const { runtime, openai } = await setup({ 'hot.yaml': aHotAgent('gpt-4o-mini') });

      runtime.writeAgent('hot.yaml', 'apiVersion: astromesh/v1\nkind: Agent\nmetadata: {name: hot\nspec: [\n');

      const [listed] = await eventually(async () => {
        const agents = await listedAgents(runtime);
        expect(agents).toEqual([expect.objectContaining({ name: 'hot', error: expect.any(String) })]);
        return agents;
      });
      expect(listed).toMatchObject({ status: 'ready', model: 'openai/gpt-4o-mini' });
      expect(listed.error).toMatch(/^hot\.yaml: \(document\): not valid YAML: /);
      const response = await run(runtime, 'hot', { query: 'Still there?' });
      expect(response.status).toBe(200);
      expect(openai.lastRequest.body.model).toBe('gpt-4o-mini');
    });

    it('keeps running the last good version when the file breaks the schema, and names the field', async () => {
      const { runtime, openai } = await setup({ 'hot.yaml': aHotAgent('gpt-4o-mini') });

      runtime.writeAgent('hot.yaml', aHotAgent('gpt-4.1', { orchestration: { pattern: 'react', max_iterations: 0 } }));

      const [listed] = await eventually(async () => {
        const agents = await listedAgents(runtime);
        expect(agents).toEqual([expect.objectContaining({ name: 'hot', error: expect.any(String) })]);
        return agents;
      });
      expect(listed).toMatchObject({ status: 'ready', model: 'openai/gpt-4o-mini' });
      expect(listed.error).toMatch(/^hot\.yaml: spec\.orchestration\.max_iterations: /);
      const detail = await jsonOf(await runtime.request('/v1/agents/hot'));
      expect(detail.error).toBe(listed.error);
      const response = await run(runtime, 'hot', { query: 'Still there?' });
      expect(response.status).toBe(200);
      expect(openai.lastRequest.body.model).toBe('gpt-4o-mini');
    });

    it('keeps running the last good version when a tool config becomes invalid, and names the file and tool', async () => {
      const { runtime, openai } = await setup({ 'hot.yaml': aHotAgent('gpt-4o-mini') });

      runtime.writeAgent(
        'hot.yaml',
        aHotAgent('gpt-4.1', {
          tools: [
            { name: 'calculator', type: 'builtin' },
            { name: 'web_search', type: 'builtin', config: { provider: 'bing' } },
          ],
        }),
      );

      const [listed] = await eventually(async () => {
        const agents = await listedAgents(runtime);
        expect(agents).toEqual([expect.objectContaining({ name: 'hot', error: expect.any(String) })]);
        return agents;
      });
      expect(listed).toMatchObject({ status: 'ready', model: 'openai/gpt-4o-mini' });
      expect(listed.error).toMatch(/^hot\.yaml: spec\.tools\[1\]: tool 'web_search': config\.provider: /);
      await run(runtime, 'hot', { query: 'Still there?' });
      expect(openai.lastRequest.body.model).toBe('gpt-4o-mini');
    });

    it('loads a file refused for a duplicate name once the other file gives the name up', async () => {
      const { runtime, openai } = await setup({
        'a-first.yaml': aHotAgent('gpt-4o-mini'),
        'b-second.yaml': aHotAgent('gpt-4.1'),
      });
      expect(await listedAgents(runtime)).toEqual([
        expect.objectContaining({ name: 'b-second', status: 'error', error: expect.stringContaining('a-first.yaml') }),
        expect.objectContaining({ name: 'hot', status: 'ready', model: 'openai/gpt-4o-mini' }),
      ]);

      runtime.removeAgent('a-first.yaml');

      await eventually(async () =>
        expect(await listedAgents(runtime)).toEqual([
          expect.objectContaining({ name: 'hot', status: 'ready', model: 'openai/gpt-4.1' }),
        ]),
      );
      expect((await listedAgents(runtime))[0]).not.toHaveProperty('error');
      await run(runtime, 'hot', { query: 'Who answers?' });
      expect(openai.lastRequest.body.model).toBe('gpt-4.1');
    });

    it('clears the error once the broken file is fixed', async () => {
      const { runtime, openai } = await setup({ 'hot.yaml': aHotAgent('gpt-4o-mini') });
      runtime.writeAgent('hot.yaml', aHotAgent('gpt-4.1', { orchestration: { max_iterations: 0 } }));
      await eventually(async () =>
        expect(await listedAgents(runtime)).toEqual([expect.objectContaining({ error: expect.any(String) })]),
      );

      runtime.writeAgent('hot.yaml', aHotAgent('gpt-4.1'));

      await eventually(async () => {
        const [listed] = await listedAgents(runtime);
        expect(listed).toMatchObject({ status: 'ready', model: 'openai/gpt-4.1' });
        expect(listed).not.toHaveProperty('error');
      });
      await run(runtime, 'hot', { query: 'Fixed?' });
      expect(openai.lastRequest.body.model).toBe('gpt-4.1');
    });

    it('lists a file whose first version is broken with status error, and running it answers 503', async () => {
      const { runtime, openai } = await setup({
        'broken.yaml': aHotAgent('gpt-4o-mini', { orchestration: { max_iterations: 0 } }, 'broken'),
      });

      const agents = await listedAgents(runtime);
      const response = await run(runtime, 'broken', { query: 'Hi' });

      expect(agents).toEqual([
        expect.objectContaining({
          name: 'broken',
          status: 'error',
          error: expect.stringMatching(/^broken\.yaml: spec\.orchestration\.max_iterations: /),
        }),
      ]);
      expect(response.status).toBe(503);
      expect(await jsonOf(response)).toMatchObject({
        error: 'agent_unavailable',
        status: 503,
        message: expect.stringContaining('spec.orchestration.max_iterations'),
      });
      expect(openai.requestCount).toBe(0);
    });
  });
});
