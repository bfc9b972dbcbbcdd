import { writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { FakeProvider } from '../fakes/fake-provider.ts';
import { fakeReply } from '../fakes/fake-reply.ts';
import { eventually } from '../support/eventually.ts';
import { jsonOf } from '../support/json-of.ts';
import { agentYaml, startTestRuntime, type TestRuntime } from '../support/start-test-runtime.ts';
import { useRuntimeTestKit } from './use-runtime-test-kit.ts';

// Places where upstream Astromesh 0.74.1 runs an agent file and astromeshd once refused it: a
// plain model name with no source, provider names in any case, servers of upstream's other
// provider types that speak OpenAI's chat API (vllm, hf_tgi, llamacpp), and ProviderConfig files
// in upstream's config dir (the agents dir's parent). Each runs end to end against the fake
// OpenAI server.

describe('agent files upstream runs', () => {
  const { cleanups, startFake } = useRuntimeTestKit();

  async function start(
    agents: Record<string, string>,
    credentials: Record<string, string> = {},
  ): Promise<{ openai: FakeProvider; runtime: TestRuntime }> {
    const openai = await startFake('openai');
    const runtime = await startTestRuntime({
      agents: agents,
      credentials: { OPENAI_API_KEY: 'sk-upstream', ...credentials },
    });
    cleanups.push(() => runtime.stop());
    return { openai, runtime };
  }

  const run = async (runtime: TestRuntime, agent: string, query = 'Hi') => {
    const response = await runtime.request(`/v1/agents/${agent}/run`, {
      method: 'POST',
      body: JSON.stringify({ query }),
    });
    return { status: response.status, body: await jsonOf(response) };
  };

  const agent = (name: string, primary: Record<string, unknown>) =>
    agentYaml(name, { model: { primary }, prompts: { system: 'Be brief.' } });

  it("runs a plain model name with no source on the block's endpoint with OPENAI_API_KEY, as upstream's openai_compat fallback", async () => {
    const { openai, runtime } = await start({});
    runtime.writeAgent('plain.yaml', agent('plain', { model: 'gpt-4o-mini', endpoint: openai.baseUrl }));
    openai.enqueue(fakeReply.text('Plain name served.'));

    const { status, body } = await eventuallyReady(runtime, 'plain');

    expect(status).toBe(200);
    expect(body).toMatchObject({
      response: 'Plain name served.',
      provider: 'openai_compat',
      model: 'openai_compat/gpt-4o-mini',
    });
    expect(openai.lastRequest.headers.authorization).toBe('Bearer sk-upstream');
  });

  it.each([
    ['vllm', 'vLLM', 'mistralai/Mistral-7B-Instruct-v0.3'],
    ['hf_tgi', 'HF_TGI', 'tgi'],
    ['llamacpp', ' llamacpp ', 'qwen2.5-7b-q4'],
  ])('runs source %s (written %j) on the server at {endpoint}/v1/chat/completions', async (_type, written, model) => {
    const { openai, runtime } = await start({});
    runtime.writeAgent('server.yaml', agent('server', { source: written, model, endpoint: openai.url }));
    openai.enqueue(fakeReply.text('From the model server.'));

    const { status, body } = await eventuallyReady(runtime, 'server');

    expect(status).toBe(200);
    expect(body).toMatchObject({ response: 'From the model server.', provider: 'openai_compat' });
    // Upstream's adapters post under /v1 of the server's root, with the model's name untouched.
    expect(openai.lastRequest.path).toBe('/v1/chat/completions');
    expect(openai.lastRequest.body.model).toBe(model);
  });

  it("tries the legacy form's extra candidates after primary and fallback, as upstream", async () => {
    const { openai, runtime } = await start({});
    const down = 'http://127.0.0.1:9/v1';
    runtime.writeAgent(
      'extras.yaml',
      agentYaml('extras', {
        model: {
          primary: { source: 'openai_compat', model: 'first', endpoint: down },
          fallback: { source: 'openai_compat', model: 'second', endpoint: down },
          extra: { backup: { provider: 'OpenAI_Compat', model: 'third', endpoint: openai.baseUrl } },
        },
      }),
    );
    openai.enqueue(fakeReply.text('From the extra candidate.'));

    const { status, body } = await eventuallyReady(runtime, 'extras');

    expect(status).toBe(200);
    expect(body).toMatchObject({ response: 'From the extra candidate.', model: 'openai_compat/third' });
    expect(openai.requests.map((request) => request.body.model)).toEqual(['third']);
  });

  it('refuses source centinela at load, naming the file, the field path, why and what is supported', async () => {
    const { runtime } = await start({ 'labels.yaml': agent('labels', { provider: 'Centinela', model: 'sentiment' }) });

    const body = await jsonOf(await runtime.request('/v1/agents'));

    expect(body.agents).toEqual([
      expect.objectContaining({
        name: 'labels',
        status: 'error',
        error:
          'labels.yaml: spec.model.primary.provider: source "centinela" is not supported (upstream\'s Centinela classifiers constrain answers to a label contract, which astromeshd does not run); supported: openai, openai_compat, azure_openai, ollama, anthropic, groq, mistral, cohere, litellm, vllm, hf_tgi, llamacpp',
      }),
    ]);
  });

  it("reads providers files from upstream's config dir (the agents dir's parent); the agents dir's own entry wins", async () => {
    const { openai, runtime } = await start({});
    const configDir = dirname(runtime.agentsDir);
    // Upstream's layout: config/providers.yaml beside config/agents/.
    writeFileSync(
      join(configDir, 'providers.yaml'),
      `apiVersion: astromesh/v1
kind: ProviderConfig
metadata: {name: default-providers}
spec:
  providers:
    vllm: {type: vllm, endpoint: "${openai.url}", models: ["mistralai/Mistral-7B-Instruct-v0.3"], health_check_interval: 30}
    hosted: {type: openai_compat, endpoint: "http://127.0.0.1:9/v1", models: [parent-model]}
`,
    );
    runtime.writeAgent(
      'providers-local.yaml',
      `kind: ProviderConfig
spec:
  providers:
    hosted: {type: openai_compat, endpoint: "${openai.baseUrl}", api_key_env: OPENAI_API_KEY, models: [local-model]}
`,
    );
    runtime.writeAgent('on-vllm.yaml', agent('on-vllm', { providerRef: 'vllm' }));
    runtime.writeAgent('hosted.yaml', agent('hosted', { providerRef: 'hosted' }));
    openai.enqueue(fakeReply.text('Via the parent.'), fakeReply.text('Via the agents dir.'));

    const viaParent = await eventuallyReady(runtime, 'on-vllm');
    const viaLocal = await eventuallyReady(runtime, 'hosted');

    expect(viaParent).toMatchObject({ status: 200, body: { response: 'Via the parent.' } });
    expect(viaLocal).toMatchObject({
      status: 200,
      body: { response: 'Via the agents dir.', model: 'openai_compat/local-model' },
    });
    expect(openai.requests.map((request) => [request.path, request.body.model])).toEqual([
      ['/v1/chat/completions', 'mistralai/Mistral-7B-Instruct-v0.3'],
      ['/v1/chat/completions', 'local-model'],
    ]);
  });

  it("names the parent's providers file as ../providers.yaml when an entry there is refused", async () => {
    const { runtime } = await start({});
    writeFileSync(
      join(dirname(runtime.agentsDir), 'providers.yaml'),
      'kind: ProviderConfig\nspec:\n  providers:\n    labels: {type: centinela, endpoint: "https://c.example"}\n',
    );
    runtime.writeAgent('labels.yaml', agent('labels', { providerRef: 'labels' }));

    const entry = await eventually(async () => {
      const body = await jsonOf(await runtime.request('/v1/agents'));
      expect(body.agents[0]?.error).toBeDefined();
      return body.agents[0];
    });

    expect(entry.error).toContain("unknown provider 'labels'");
    expect(entry.error).toContain('read from ../providers.yaml');
    expect(entry.error).toContain('../providers.yaml: spec.providers.labels.type: source "centinela" is not supported');
  });

  it('reports the warnings of an agent in GET /v1/agents/{name}, as in the list', async () => {
    const { openai, runtime } = await start({});
    runtime.writeAgent(
      'extra.yaml',
      agentYaml('extra', {
        model: { primary: { source: 'openai_compat', model: 'm', endpoint: openai.baseUrl, context_window: 8192 } },
        chain: { next: 'closer' },
      }),
    );

    const detail = await eventually(async () => {
      const response = await runtime.request('/v1/agents/extra');
      expect(response.status).toBe(200);
      return jsonOf(response);
    });
    const list = await jsonOf(await runtime.request('/v1/agents'));

    expect(detail.warnings).toEqual([
      expect.stringMatching(/^extra\.yaml: spec\.chain: unknown key, ignored/),
      expect.stringMatching(/^extra\.yaml: spec\.model\.primary\.context_window: unknown key, ignored/),
    ]);
    expect(list.agents[0].warnings).toEqual(detail.warnings);
  });

  it('documents warnings on GET /v1/agents/{name} in the OpenAPI document, as on the list', async () => {
    const { runtime } = await start({});
    const document = await jsonOf(await runtime.request('/v1/openapi.json'));
    const answerOf = (path: string) => document.paths[path].get.responses['200'].content['application/json'].schema;

    const detailWarnings = answerOf('/agents/{name}').properties.warnings;
    const listWarnings = answerOf('/agents').properties.agents.items.properties.warnings;

    expect(detailWarnings).toMatchObject({ type: 'array', items: { type: 'string' } });
    expect(detailWarnings.description).toMatch(/unknown keys/);
    expect(detailWarnings).toEqual(listWarnings);
    expect(answerOf('/agents/{name}').required).not.toContain('warnings');
  });

  /** The agent's first run once the catalog has loaded it (files written after start load on the next scan). */
  async function eventuallyReady(runtime: TestRuntime, name: string) {
    await eventually(async () => {
      const response = await runtime.request(`/v1/agents/${name}`);
      expect(response.status).toBe(200);
    });
    return run(runtime, name);
  }
});
