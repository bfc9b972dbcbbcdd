import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import { fakeReply } from '../fakes/fake-reply.ts';
import { eventually } from '../support/eventually.ts';
import { jsonOf } from '../support/json-of.ts';
import { agentYaml, startTestRuntime } from '../support/start-test-runtime.ts';
import { useRuntimeTestKit } from './use-runtime-test-kit.ts';

interface OtlpSpan {
  traceId: string;
  name: string;
}

/** An OTLP/HTTP collector that keeps the spans of every JSON export it receives. */
async function startCollector() {
  const spans: OtlpSpan[] = [];
  const contentTypes: string[] = [];
  const server = createServer(async (req: IncomingMessage, res) => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    contentTypes.push(req.headers['content-type'] ?? '');
    const body = JSON.parse(Buffer.concat(chunks).toString()) as {
      resourceSpans: { scopeSpans: { spans: OtlpSpan[] }[] }[];
    };
    for (const resource of body.resourceSpans) for (const scope of resource.scopeSpans) spans.push(...scope.spans);
    res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1/traces`,
    spans,
    contentTypes,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

describe('OTLP trace export', () => {
  const { cleanups, startFake } = useRuntimeTestKit();

  it('sends every span of a run to the configured OTLP/HTTP endpoint, under the run\u2019s trace id', async () => {
    const collector = await startCollector();
    cleanups.push(collector.close);
    const openai = await startFake('openai');
    openai.enqueue(fakeReply.text('exported'));
    const runtime = await startTestRuntime({
      agents: {
        'a.yaml': agentYaml('assistant', { model: { primary: { provider: 'openai', model: 'gpt-4o-mini' } } }),
      },
      credentials: { OPENAI_API_KEY: 'sk-test', OPENAI_BASE_URL: openai.baseUrl },
      otlpEndpoint: collector.url,
    });
    cleanups.push(() => runtime.stop());

    const run = await jsonOf(
      await runtime.request('/v1/agents/assistant/run', { method: 'POST', body: JSON.stringify({ query: 'Hi' }) }),
    );

    await eventually(() =>
      expect(collector.spans.filter((span) => span.traceId === run.trace_id).map((span) => span.name)).toEqual(
        expect.arrayContaining(['agent.run', 'llm.complete', 'memory.persist']),
      ),
    );
    expect(collector.contentTypes[0]).toBe('application/json');
  });
});
