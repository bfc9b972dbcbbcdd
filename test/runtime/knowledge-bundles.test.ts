import { cpSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { FakeProvider, RecordedRequest } from '../fakes/fake-provider.ts';
import { fakeReply } from '../fakes/fake-reply.ts';
import { jsonOf } from '../support/json-of.ts';
import type { StreamEvent } from '../support/open-agent-socket.ts';
import { startAstromeshdProcess } from '../support/start-astromeshd-process.ts';
import { streamAgentRun } from './stream-agent-run.ts';
import { useRuntimeTestKit } from './use-runtime-test-kit.ts';

const fixtures = new URL('../fixtures/okf/', import.meta.url);
const fixturePath = (name: string) => new URL(name, fixtures).pathname;
const assistantYaml = readFileSync(new URL('okf-assistant.yaml', fixtures), 'utf8');

interface ChatMessageBody {
  role: string;
  content: string | null;
}
const messagesOf = (request: RecordedRequest) => request.body.messages as ChatMessageBody[];
const toolNamesOf = (request: RecordedRequest) =>
  (request.body.tools as { function: { name: string } }[]).map((tool) => tool.function.name);

describe('knowledge bundles (Open Knowledge Format), through astromeshd as a process', { timeout: 60_000 }, () => {
  const { cleanups, startFake } = useRuntimeTestKit();

  /** astromeshd with the fixture bundle at agents/knowledge/support-kb and the given agent files. */
  async function startAstromeshd(
    agents: Record<string, string>,
    prepare: (dirs: { agentsDir: string; dataDir: string }) => void = () => {},
  ): Promise<{ url: string; openai: FakeProvider }> {
    const openai = await startFake('openai');
    const { url } = await startAstromeshdProcess(
      {
        agents,
        credentials: { OPENAI_API_KEY: 'sk-test', OPENAI_BASE_URL: openai.baseUrl },
        prepare: (dirs) => {
          cpSync(fixturePath('support-kb'), join(dirs.agentsDir, 'knowledge', 'support-kb'), { recursive: true });
          prepare(dirs);
        },
      },
      (cleanup) => cleanups.push(cleanup),
    );
    return { url, openai };
  }

  const variant = (name: string, bundle: string, extra = '') =>
    assistantYaml
      .replace('name: okf-assistant', `name: ${name}`)
      .replace('bundle: knowledge/support-kb', `bundle: ${bundle}`)
      .concat(extra);

  it('runs the fixture agent: the model sees the rendered bundle index and the kb tools, kb_find then kb_read stream their results over the WebSocket', async () => {
    const { url, openai } = await startAstromeshd({ 'okf-assistant.yaml': assistantYaml });
    openai.enqueue(
      fakeReply.toolCall('kb_find', { text: 'return' }),
      fakeReply.toolCall('kb_read', { concept_id: '/policies/returns.md' }),
      fakeReply.text('Yes: unused kettles can be returned within 30 days (policies/returns).'),
    );

    const { events } = await streamAgentRun(url, 'okf-assistant', {
      query: 'Can I return my kettle after three weeks?',
    });

    const first = openai.requests[0] as RecordedRequest;
    const system = messagesOf(first)[0];
    expect(system?.role).toBe('system');
    // The root index.md, its frontmatter (okf_version) dropped, in place of {{ bundle_index }}.
    expect(system?.content).toContain(
      'Bundle map:\n# Subdirectories\n\n* [policies](policies/) - How we treat returns.\n* [products](products/) - What we sell.',
    );
    expect(system?.content).not.toContain('okf_version');
    expect(toolNamesOf(first)).toEqual(['kb_index', 'kb_read', 'kb_find']);

    const toolEvents = events.filter(
      (event: StreamEvent) => event.type === 'tool_call' || event.type === 'tool_result',
    );
    expect(toolEvents).toEqual([
      { type: 'tool_call', id: expect.any(String), tool: 'kb_find', input: { text: 'return' } },
      {
        type: 'tool_result',
        id: expect.any(String),
        tool: 'kb_find',
        success: true,
        // Header matches first, then the kettle (it matches in its body only); the deprecated 2023 policy is left out.
        output: {
          results: [
            {
              id: 'policies/returns',
              type: 'Policy',
              title: 'Return policy',
              description: 'Unused kettles can be returned within 30 days for a full refund.',
              status: 'stable',
              trust: 'human-reviewed',
              stale: false,
            },
            expect.objectContaining({ id: 'products/kettle', trust: 'machine-confirmed', stale: true }),
          ],
          skipped_invalid: 0,
        },
      },
      { type: 'tool_call', id: expect.any(String), tool: 'kb_read', input: { concept_id: '/policies/returns.md' } },
      {
        type: 'tool_result',
        id: expect.any(String),
        tool: 'kb_read',
        success: true,
        output: expect.objectContaining({
          id: 'policies/returns',
          tags: ['support', 'returns'],
          warnings: [],
          extra: expect.objectContaining({
            owner: 'support',
            verified: { by: 'human:support-lead', at: expect.any(String) },
          }),
          body: expect.stringContaining('Unused kettles go back within 30 days of delivery'),
          // Relative, external and bundle-absolute links, resolved to ids the model can pass back.
          links: [
            { id: 'products/kettle', exists: true },
            { url: 'https://example.com/terms', external: true },
            { id: 'policies/returns-2023', exists: true },
          ],
        }),
      },
    ]);
    expect(events.at(-1)).toMatchObject({
      type: 'done',
      response: 'Yes: unused kettles can be returned within 30 days (policies/returns).',
    });
    // The concept's body went back to the model as the kb_read result.
    const last = openai.lastRequest;
    expect(JSON.stringify(messagesOf(last))).toContain('Unused kettles go back within 30 days of delivery');
  });

  it('confines kb_read to the bundle, names close concepts for a missing one, and flags a deprecated and a stale concept', async () => {
    const { url, openai } = await startAstromeshd({ 'okf-assistant.yaml': assistantYaml });
    openai.enqueue(
      fakeReply.toolCalls([
        { name: 'kb_read', input: { concept_id: '../../credentials.yaml' } },
        { name: 'kb_read', input: { concept_id: 'policies/return' } },
        { name: 'kb_read', input: { concept_id: 'policies/returns-2023' } },
        { name: 'kb_read', input: { concept_id: 'products/kettle' } },
        { name: 'kb_index', input: { path: 'products' } },
      ]),
      fakeReply.text('Done.'),
    );

    const response = await fetch(`${url}/v1/agents/okf-assistant/run`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query: 'Look around.' }),
    });
    const body = await jsonOf(response);

    expect(response.status).toBe(200);
    const [outside, missing, deprecated, stale, index] = body.tool_calls;
    expect(outside).toMatchObject({
      success: false,
      output: { error: { code: 'refused', message: 'outside bundle: ../../credentials.yaml' } },
    });
    expect(missing).toMatchObject({
      success: false,
      output: {
        error: {
          code: 'invalid_input',
          message: 'concept not found: policies/return (did you mean: policies/returns, policies/returns-2023?)',
        },
      },
    });
    expect(deprecated.output.warnings).toEqual(['DEPRECATED: kept for history; do not use for new work.']);
    expect(stale.output).toMatchObject({
      stale: true,
      trust: 'machine-confirmed',
      warnings: ['STALE since 2020-01-01T00:00:00.000Z: may no longer be accurate.'],
    });
    // products/ has no index.md: one is written in the OKF §8 form, with the concept's type and staleness.
    expect(index).toMatchObject({
      success: true,
      output: '# Concepts\n\n* [Aurora kettle](/products/kettle) - The 1.7 litre electric kettle. [Product, stale]\n',
    });
  });

  it("lets a glyph program call the kb tools, whose values come in upstream's result envelope", async () => {
    const program = [
      'hits = kb_find(type="Policy")',
      'policy = kb_read(concept_id="policies/returns")',
      'return {found: hits.data.results, title: policy.data.title, trust: policy.data.trust}',
    ].join('\n');
    const glyphAgent = variant(
      'kb-program',
      'knowledge/support-kb',
      `  program: |\n${program.replace(/^/gm, '    ')}\n`,
    ).replace('pattern: react', 'pattern: glyph\n    narrate: false');
    const { url } = await startAstromeshd({ 'kb-program.yaml': glyphAgent });

    const response = await fetch(`${url}/v1/agents/kb-program/run`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query: 'returns' }),
    });
    const body = await jsonOf(response);

    expect(response.status).toBe(200);
    expect(JSON.parse(body.response)).toEqual({
      found: [expect.objectContaining({ id: 'policies/returns' })],
      title: 'Return policy',
      trust: 'human-reviewed',
    });
  });

  it('finds a bundle in the data directory', async () => {
    const { url } = await startAstromeshd({ 'data-kb.yaml': variant('data-kb', 'kb/support') }, ({ dataDir }) =>
      cpSync(fixturePath('support-kb'), join(dataDir, 'kb', 'support'), { recursive: true }),
    );
    const body = await jsonOf(await fetch(`${url}/v1/agents`));
    expect(body.agents).toContainEqual(expect.objectContaining({ name: 'data-kb', status: 'ready' }));
  });

  it('refuses, naming the file and the field, a malformed bundle, a bundle outside the agents and data directories (and config/knowledge), a missing one, and an agent that lists a kb tool itself', async () => {
    const { url } = await startAstromeshd(
      {
        'okf-assistant.yaml': assistantYaml,
        'broken-kb.yaml': variant('broken-kb', 'knowledge/broken-kb'),
        'escaping-kb.yaml': variant('escaping-kb', '../../'),
        'missing-kb.yaml': variant('missing-kb', 'knowledge/nowhere'),
        'own-kb-tool.yaml': variant('own-kb-tool', 'knowledge/support-kb', '  tools:\n    - name: kb_read\n'),
      },
      ({ agentsDir }) =>
        cpSync(fixturePath('broken-kb'), join(agentsDir, 'knowledge', 'broken-kb'), { recursive: true }),
    );

    const body = await jsonOf(await fetch(`${url}/v1/agents`));
    const byName = new Map(body.agents.map((agent: { name: string }) => [agent.name, agent]));

    expect(byName.get('okf-assistant')).toMatchObject({ status: 'ready' });
    expect(byName.get('broken-kb')).toMatchObject({
      status: 'error',
      error: 'broken-kb.yaml: spec.knowledge.bundle: guides/setup.md: missing type',
    });
    expect(byName.get('escaping-kb')).toMatchObject({
      status: 'error',
      error: expect.stringMatching(
        /^escaping-kb\.yaml: spec\.knowledge\.bundle: \.\.\/\.\.\/ is outside the agents directory \(.*\), the data directory \(.*\) or .*\/knowledge$/,
      ),
    });
    expect(byName.get('missing-kb')).toMatchObject({
      status: 'error',
      error: expect.stringMatching(
        /^missing-kb\.yaml: spec\.knowledge\.bundle: knowledge\/nowhere is not a directory in /,
      ),
    });
    expect(byName.get('own-kb-tool')).toMatchObject({
      status: 'error',
      error: 'own-kb-tool.yaml: spec.tools[0].name: knowledge.bundle provides kb_read; remove it from tools[]',
    });
  });
});
