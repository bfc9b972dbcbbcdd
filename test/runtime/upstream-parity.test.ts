import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { FakeProvider, RecordedRequest } from '../fakes/fake-provider.ts';
import { fakeReply } from '../fakes/fake-reply.ts';
import { startFakeAzureOpenAI } from '../fakes/start-fake-azure-openai.ts';
import { jsonOf } from '../support/json-of.ts';
import { spawnAstromeshd } from '../support/spawn-astromeshd.ts';
import { agentYaml, type TestRuntime } from '../support/start-test-runtime.ts';
import { useRuntimeTestKit } from './use-runtime-test-kit.ts';

// The last places where astromeshd was stricter than upstream Astromesh 0.74.1, each run through a
// real astromeshd against fake providers: orchestration.role_map, an agent tool's
// context_transform, Azure's v1 API, and an inline api_key (still refused, saying where the key goes).

const messagesOf = (request: RecordedRequest) => request.body.messages as { role: string; content: unknown }[];

interface Listed {
  name: string;
  status: string;
  error?: string;
  warnings?: string[];
}

describe('what upstream runs and astromeshd once refused or ignored', () => {
  const kit = useRuntimeTestKit();
  const { cleanups } = kit;
  const { startFake } = kit;

  async function start(agents: Record<string, string>, credentials: Record<string, string> = {}) {
    const runtime = await kit.runtime(agents, { credentials });
    const listed: Listed[] = (await jsonOf(await runtime.request('/v1/agents'))).agents;
    return { runtime, listed };
  }

  const run = async (runtime: TestRuntime, agent: string, body: Record<string, unknown>) => {
    const response = await runtime.request(`/v1/agents/${agent}/run`, { method: 'POST', body: JSON.stringify(body) });
    return { status: response.status, body: await jsonOf(response) };
  };

  const at = (fake: FakeProvider, model: string) => ({
    candidates: [{ source: 'openai', model, endpoint: fake.baseUrl }],
  });

  describe('orchestration.role_map', () => {
    it("sends each of a pattern's roles to the model role it maps to, as upstream's engine does", async () => {
      const fake = await startFake();
      const { runtime, listed } = await start({
        'planner.yaml': agentYaml('role-mapped', {
          model: {
            default: at(fake, 'default-model'),
            roles: { strong: at(fake, 'strong-model'), fast: at(fake, 'fast-model') },
          },
          prompts: { system: 'Plan with the strong model, execute with the cheap one.' },
          orchestration: {
            pattern: 'plan_and_execute',
            role_map: { planner: 'strong', worker: 'fast', synthesizer: 'fast' },
          },
        }),
      });
      fake.enqueue(
        fakeReply.text('{"steps": ["Find the answer."]}'),
        fakeReply.text('Found: 42.'),
        fakeReply.text('The answer is 42.'),
      );

      const { status, body } = await run(runtime, 'role-mapped', { query: 'What is the answer?' });

      expect(listed).toEqual([expect.objectContaining({ name: 'role-mapped', status: 'ready' })]);
      expect(listed[0]?.warnings ?? []).toEqual([]);
      expect(status).toBe(200);
      expect(body.response).toBe('The answer is 42.');
      expect(fake.requests.map((request) => request.body.model)).toEqual(['strong-model', 'fast-model', 'fast-model']);
      const trace = await jsonOf(await runtime.request(`/v1/traces/${body.trace_id}`));
      expect(
        trace.spans
          .filter((span: { name: string }) => span.name === 'llm.complete')
          .map((span: { attributes: Record<string, unknown> }) => [
            span.attributes.role,
            span.attributes.resolved_role,
          ]),
      ).toEqual([
        ['planner', 'strong'],
        ['worker', 'fast'],
        ['synthesizer', 'fast'],
      ]);
    });

    it('runs a role mapped to a model role the file lacks on the default candidates, and warns', async () => {
      const fake = await startFake();
      const { runtime, listed } = await start({
        'typo.yaml': agentYaml('role-typo', {
          model: { default: at(fake, 'default-model'), roles: { strong: at(fake, 'strong-model') } },
          orchestration: { role_map: { reasoner: 'strnog' } },
        }),
      });
      fake.enqueue(fakeReply.text('From the default.'));

      const { status } = await run(runtime, 'role-typo', { query: 'Hi' });

      expect(listed).toEqual([
        expect.objectContaining({
          status: 'ready',
          warnings: [
            "typo.yaml: spec.orchestration.role_map.reasoner: model role 'strnog' is not in spec.model.roles; this role uses the default candidates",
          ],
        }),
      ]);
      expect(status).toBe(200);
      expect(fake.lastRequest.body.model).toBe('default-model');
    });
  });

  describe("an agent tool's context_transform", () => {
    const scorer = (fake: FakeProvider) =>
      agentYaml('scorer', {
        model: { primary: { source: 'openai', model: 'scorer-model', endpoint: fake.baseUrl } },
        prompts: { system: 'Score {{ score }} for {{ lead }}.{{ caller_note }}' },
      });
    const desk = (fake: FakeProvider, contextTransform: string) =>
      agentYaml('desk', {
        model: { primary: { source: 'openai', model: 'desk-model', endpoint: fake.baseUrl } },
        prompts: { system: 'You route leads. Note: {{ caller_note }}' },
        tools: [
          {
            name: 'ask_scorer',
            type: 'agent',
            agent: 'scorer',
            description: 'Scores a lead.',
            parameters: {
              query: { type: 'string' },
              score: { type: 'integer' },
              lead: { type: 'object', properties: { name: { type: 'string' } } },
            },
            context_transform: contextTransform,
          },
        ],
      });

    it("gives the called agent the transform's value over the call's arguments as its prompt variables, and nothing of the caller's context", async () => {
      const fake = await startFake();
      const { runtime, listed } = await start({
        'scorer.yaml': scorer(fake),
        'desk.yaml': desk(fake, '{score: data.score, lead: data.lead.name | upcase}'),
      });
      fake.enqueue(
        fakeReply.toolCall('ask_scorer', { query: 'Rate this lead.', score: 42, lead: { name: 'ada' } }),
        fakeReply.text('Rated 42.'),
        fakeReply.text('The scorer says 42.'),
      );

      const { status, body } = await run(runtime, 'desk', {
        query: 'Score Ada.',
        context: { caller_note: 'secret-plan' },
      });

      expect(listed.map((agent) => [agent.name, agent.status, agent.warnings ?? []])).toEqual([
        ['desk', 'ready', []],
        ['scorer', 'ready', []],
      ]);
      expect(status).toBe(200);
      expect(body.response).toBe('The scorer says 42.');
      const scorerRequest = fake.requests[1] as RecordedRequest;
      expect(scorerRequest.body.model).toBe('scorer-model');
      expect(messagesOf(scorerRequest)).toEqual([
        { role: 'system', content: 'Score 42 for ADA.' },
        { role: 'user', content: 'Rate this lead.' },
      ]);
      expect(JSON.stringify(scorerRequest.body)).not.toContain('secret-plan');
      expect(messagesOf(fake.requests[0] as RecordedRequest)[0]?.content).toBe('You route leads. Note: secret-plan');
    });

    it('warns at load about a transform that cannot be read, and fails its calls as upstream does, without running the agent', async () => {
      const fake = await startFake();
      const { runtime, listed } = await start({
        'scorer.yaml': scorer(fake),
        'desk.yaml': desk(fake, '{score data.score}'),
      });
      fake.enqueue(
        fakeReply.toolCall('ask_scorer', { query: 'Rate this lead.', score: 42 }),
        fakeReply.text('The scorer is unavailable.'),
      );

      const { status, body } = await run(runtime, 'desk', { query: 'Score Ada.' });

      expect(listed.find((agent) => agent.name === 'desk')).toMatchObject({
        status: 'ready',
        warnings: [
          "desk.yaml: spec.tools[0].context_transform: cannot be read ('score data.score' is not key: value); every call of this tool fails",
        ],
      });
      expect(status).toBe(200);
      expect(body.tool_calls).toEqual([
        expect.objectContaining({
          tool: 'ask_scorer',
          success: false,
          output: {
            error: { code: 'failed', message: "context transform failed: 'score data.score' is not key: value" },
          },
        }),
      ]);
      expect(fake.requests.map((request) => request.body.model)).toEqual(['desk-model', 'desk-model']);
    });
  });

  describe('azure_openai', () => {
    it("calls an endpoint ending in /openai/v1 as OpenAI's wire and a classic endpoint on the deployment path, both through astromeshd", async () => {
      const azure = await startFakeAzureOpenAI({
        deployment: 'prod-4o',
        apiVersion: '2024-06-01',
        apiKey: 'azure-key',
      });
      cleanups.push(() => azure.close());
      const { runtime, listed } = await start(
        {
          'v1.yaml': agentYaml('azure-v1', {
            model: { primary: { source: 'azure_openai', model: 'prod-4o', endpoint: `${azure.endpoint}/openai/v1` } },
          }),
          'classic.yaml': agentYaml('azure-classic', {
            model: {
              primary: {
                source: 'azure_openai',
                model: 'gpt-4o',
                deployment: 'prod-4o',
                api_version: '2024-06-01',
                endpoint: azure.endpoint,
              },
            },
          }),
        },
        { AZURE_OPENAI_API_KEY: 'azure-key' },
      );
      azure.chat.enqueue(fakeReply.text('From the v1 API.'), fakeReply.text('From the deployment path.'));

      const v1 = await run(runtime, 'azure-v1', { query: 'Hi' });
      const classic = await run(runtime, 'azure-classic', { query: 'Hi' });

      expect(listed.map((agent) => agent.status)).toEqual(['ready', 'ready']);
      expect(v1).toMatchObject({ status: 200, body: { response: 'From the v1 API.', provider: 'azure_openai' } });
      expect(classic).toMatchObject({ status: 200, body: { response: 'From the deployment path.' } });
      expect(azure.requests).toEqual([
        {
          path: '/openai/v1/chat/completions',
          apiVersion: null,
          apiKeyHeader: undefined,
          authorization: 'Bearer azure-key',
        },
        {
          path: '/openai/deployments/prod-4o/chat/completions',
          apiVersion: '2024-06-01',
          apiKeyHeader: 'azure-key',
          authorization: undefined,
        },
      ]);
      expect(azure.chat.requests[0]?.body.model).toBe('prod-4o');
    });
  });

  describe('tools of a type this runtime does not run (integration, api, a2a)', () => {
    it('are skipped with a warning each, as upstream skips them, and the model is offered only the others', async () => {
      const fake = await startFake();
      const { runtime, listed } = await start({
        'mixed.yaml': agentYaml('mixed-tools', {
          model: { primary: { source: 'openai', model: 'gpt-4o-mini', endpoint: fake.baseUrl } },
          tools: [
            { name: 'gmail', type: 'integration', connection: 'my-gmail', actions: ['send'], confirm: ['send'] },
            { name: 'datetime_now', type: 'builtin' },
            { name: 'crm', type: 'api', connection: 'crm', operations: ['listLeads'] },
            { name: 'partner', type: 'a2a', card_url: 'https://partner.example/.well-known/agent.json' },
          ],
        }),
      });
      fake.enqueue(fakeReply.text('Only the clock here.'));

      const { status } = await run(runtime, 'mixed-tools', { query: 'What can you do?' });

      expect(listed).toEqual([expect.objectContaining({ name: 'mixed-tools', status: 'ready' })]);
      expect(listed[0]?.warnings?.map((warning) => warning.split(' (')[0])).toEqual([
        "mixed.yaml: spec.tools[0].type: tool type 'integration'",
        "mixed.yaml: spec.tools[2].type: tool type 'api'",
        "mixed.yaml: spec.tools[3].type: tool type 'a2a'",
      ]);
      expect(listed[0]?.warnings?.[0]).toMatch(
        /is not supported by this runtime: the tool is skipped, as upstream skips a tool it cannot build \(supported: builtin, agent, client, mcp\)$/,
      );
      expect(status).toBe(200);
      expect(
        (fake.lastRequest.body.tools as { function: { name: string } }[]).map((tool) => tool.function.name),
      ).toEqual(['datetime_now']);
    });

    it("name the file's own tool index in the errors of the tools that remain", async () => {
      const { listed } = await start({
        'typo.yaml': agentYaml('typo-tools', {
          model: { primary: { source: 'openai', model: 'gpt-4o-mini' } },
          tools: [{ name: 'gmail', type: 'integration' }, { name: 'web_serch' }],
        }),
      });

      expect(listed).toEqual([
        expect.objectContaining({
          status: 'error',
          error: "typo.yaml: spec.tools[1].name: unknown built-in tool 'web_serch' (GET /v1/tools/builtin lists them)",
        }),
      ]);
    });
  });

  describe('an inline api_key in a model block', () => {
    it('is refused with where the key goes (the credential the block reads), and its value is never echoed', async () => {
      const secret = 'sk-live-DO-NOT-ECHO-7731';
      const { runtime, listed } = await start({
        'inline.yaml': agentYaml('inline-key', {
          model: { primary: { source: 'anthropic', model: 'claude-sonnet-4', api_key: secret } },
        }),
      });

      // A refused file is listed under its file's name.
      const one = await runtime.request(`/v1/agents/${listed[0]?.name}`);
      const oneText = await one.text();
      const listText = await (await runtime.request('/v1/agents')).text();

      expect(listed).toEqual([
        expect.objectContaining({
          status: 'error',
          error:
            'inline.yaml: spec.model.primary.api_key: keys do not live in agent files: remove it and put the key in the credentials file (--credentials) or the environment as ANTHROPIC_API_KEY (or name another credential in api_key_env)',
        }),
      ]);
      expect(oneText).toContain('ANTHROPIC_API_KEY');
      expect(`${listText}\n${oneText}`).not.toContain(secret);
      expect(`${listText}\n${oneText}`).not.toContain('DO-NOT-ECHO');
    });

    it('is logged by astromeshd, run as a command, with where the key goes and never the value, even at trace level', async () => {
      const secret = 'sk-live-NEVER-LOGGED-5521';
      const dir = mkdtempSync(join(tmpdir(), 'astromeshd-inline-key-'));
      cleanups.push(async () => rmSync(dir, { recursive: true, force: true }));
      writeFileSync(
        join(dir, 'inline.yaml'),
        agentYaml('inline-key', { model: { primary: { source: 'openai', model: 'gpt-4o-mini', api_key: secret } } }),
      );
      const astromeshd = spawnAstromeshd(['--agents-dir', dir, '--port', '0', '--log-level', 'trace']);
      cleanups.push(async () => astromeshd.kill());

      const refused = await astromeshd.waitForLog('agent file refused');
      astromeshd.child.kill('SIGTERM');
      await astromeshd.exitWithin(10_000);

      expect(refused.error).toBe(
        'inline.yaml: spec.model.primary.api_key: keys do not live in agent files: remove it and put the key in the credentials file (--credentials) or the environment as OPENAI_API_KEY (or name another credential in api_key_env)',
      );
      expect(astromeshd.stdout() + astromeshd.stderr()).not.toMatch(/NEVER-LOGGED/);
    });
  });
});
