import { readFileSync } from 'node:fs';
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import type { FakeProvider, RecordedRequest } from '../fakes/fake-provider.ts';
import { fakeReply } from '../fakes/fake-reply.ts';
import { eventually } from '../support/eventually.ts';
import { jsonOf } from '../support/json-of.ts';
import { openAgentSocket, type StreamEvent } from '../support/open-agent-socket.ts';
import { startAstromeshdProcess } from '../support/start-astromeshd-process.ts';
import { agentYaml } from '../support/start-test-runtime.ts';
import { streamAgentRun } from './stream-agent-run.ts';
import { useRuntimeTestKit } from './use-runtime-test-kit.ts';

const fixture = (name: string) => readFileSync(new URL(`../fixtures/glyph/${name}`, import.meta.url), 'utf8');

// What the fake model writes: two calls that need nothing, one that needs both.
const receiptProgram = [
  'Here is the program:',
  '```glyph',
  'stamp = datetime_now(timezone=context.zone)',
  'total = calculator(expression="3 * 19.99")',
  'receipt = json_transform(',
  '    data={stamp, total},',
  '    template="{\\"zone\\": \\"{{ data.stamp.data.timezone }}\\", \\"total\\": {{ data.total.data.result }}}"',
  ')',
  'return {receipt: receipt.data}',
  '```',
].join('\n');

interface ChatMessageBody {
  role: string;
  content: string;
}
const messagesOf = (request: RecordedRequest) => request.body.messages as ChatMessageBody[];
const textOf = (request: RecordedRequest) =>
  messagesOf(request)
    .map((message) => message.content)
    .join('\n');

describe('the glyph pattern, through astromeshd as a process', { timeout: 60_000 }, () => {
  const { cleanups, startFake } = useRuntimeTestKit();

  async function startAstromeshd(
    extraAgents: Record<string, string> = {},
  ): Promise<{ url: string; openai: FakeProvider }> {
    const openai = await startFake('openai');
    const fixtures = Object.fromEntries(
      ['order-receipt.yaml', 'order-receipt-program.yaml'].map((name) => [name, fixture(name)]),
    );
    const { url } = await startAstromeshdProcess(
      {
        agents: { ...fixtures, ...extraAgents },
        credentials: { OPENAI_API_KEY: 'sk-test', OPENAI_BASE_URL: openai.baseUrl },
      },
      (cleanup) => cleanups.push(cleanup),
    );
    return { url, openai };
  }

  const runOver = (url: string, agent: string, body: Record<string, unknown>) =>
    fetch(`${url}/v1/agents/${agent}/run`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });

  it('loads both fixture agent files with status ready', async () => {
    const { url } = await startAstromeshd();
    const body = await jsonOf(await fetch(`${url}/v1/agents`));
    expect(body.agents).toEqual([
      expect.objectContaining({ name: 'order-receipt', orchestration: 'glyph', status: 'ready' }),
      expect.objectContaining({ name: 'order-receipt-program', orchestration: 'glyph', status: 'ready' }),
    ]);
  });

  it('refuses to load an agent file whose fixed program does not compile, naming the file, spec.program, the line and the column', async () => {
    const broken = fixture('order-receipt-program.yaml')
      .replace('name: order-receipt-program', 'name: broken-program')
      .replace('expression="3 * 19.99"', 'expr="3 * 19.99"');
    const { url } = await startAstromeshd({ 'broken-program.yaml': broken });

    const body = await jsonOf(await fetch(`${url}/v1/agents`));

    expect(body.agents).toContainEqual(
      expect.objectContaining({
        name: 'broken-program',
        status: 'error',
        error:
          "broken-program.yaml: spec.program: the program is not valid Glyph: line 2, column 20: calculator has no argument 'expr'; it takes: expression",
      }),
    );
  });

  it('streams a tool_call and tool_result for each call of the program the model wrote, the dependent call after both others, then the narration as tokens, then done', async () => {
    const { url, openai } = await startAstromeshd();
    openai.enqueue(fakeReply.text(receiptProgram), fakeReply.text('Your order of 59.97 was stamped in Europe/Paris.'));

    const { events } = await streamAgentRun(url, 'order-receipt', {
      query: 'Stamp my order of three items at 19.99',
      context: { zone: 'Europe/Paris' },
    });

    const at = (type: string, tool: string) =>
      events.findIndex((event: StreamEvent) => event.type === type && event.tool === tool);
    const transformCall = at('tool_call', 'json_transform');
    expect(transformCall).toBeGreaterThan(at('tool_result', 'datetime_now'));
    expect(transformCall).toBeGreaterThan(at('tool_result', 'calculator'));
    expect(at('tool_call', 'datetime_now')).toBeGreaterThanOrEqual(0);
    expect(at('tool_call', 'calculator')).toBeGreaterThanOrEqual(0);
    expect(events[transformCall]).toMatchObject({
      // A builtin's value is upstream's result envelope, {success, data, metadata, error}.
      input: {
        data: {
          stamp: { success: true, data: { timezone: 'Europe/Paris' }, error: null },
          total: { success: true, data: { expression: '3 * 19.99', result: 59.97 }, error: null },
        },
      },
    });
    expect(events[at('tool_result', 'json_transform')]).toMatchObject({
      success: true,
      output: { zone: 'Europe/Paris', total: 59.97 },
    });
    const lastToolEvent = Math.max(
      ...['datetime_now', 'calculator', 'json_transform'].map((tool) => at('tool_result', tool)),
    );
    const tokens = events.filter((event: StreamEvent) => event.type === 'token');
    expect(events.findIndex((event: StreamEvent) => event.type === 'token')).toBeGreaterThan(lastToolEvent);
    expect(tokens.map((event) => event.content).join('')).toBe('Your order of 59.97 was stamped in Europe/Paris.');
    expect(events.at(-1)).toMatchObject({ type: 'done' });

    // The model wrote the program once, told the language and the tools, offered no tool calls;
    // the narration saw the program and its result.
    const [writing, narration] = openai.requests;
    expect(openai.requests).toHaveLength(2);
    expect(writing?.body.tools).toBeUndefined();
    expect(textOf(writing as RecordedRequest)).toContain('- json_transform: Reshape JSON data');
    expect(textOf(writing as RecordedRequest)).toContain('expression: string (required)');
    expect(textOf(writing as RecordedRequest)).toContain('Returns {success, data: <its result>, error}.');
    expect(messagesOf(writing as RecordedRequest).at(-1)).toEqual({
      role: 'user',
      content: 'Stamp my order of three items at 19.99',
    });
    expect(textOf(narration as RecordedRequest)).toContain(
      'Result of running it:\n{"receipt": {"zone": "Europe/Paris", "total": 59.97}}',
    );
    expect(textOf(narration as RecordedRequest)).toContain('stamp = datetime_now(timezone=context.zone)');
  });

  it("runs upstream's ask in a program as a model call of its own, with its context, and feeds its text on", async () => {
    const { url, openai } = await startAstromeshd();
    openai.enqueue(
      fakeReply.text(
        '```glyph\ntotal = calculator(expression="2 * 21")\nword = ask(prompt="Say it in words", context={total: total.data.result})\nreturn {word}\n```',
      ),
      fakeReply.text('forty-two'),
      fakeReply.text('It is forty-two.'),
    );

    const response = await runOver(url, 'order-receipt', { query: 'What is 2 times 21, in words?' });

    expect(response.status).toBe(200);
    const body = await jsonOf(response);
    expect(body.response).toBe('It is forty-two.');
    expect(body.tool_calls.map((call: { tool: string }) => call.tool)).toEqual(['calculator']);
    expect(messagesOf(openai.requests[1] as RecordedRequest)).toEqual([
      { role: 'user', content: 'Say it in words\n\nContext:\n{"total":42}' },
    ]);
    expect(textOf(openai.requests[2] as RecordedRequest)).toContain('Result of running it:\n{"word": "forty-two"}');
  });

  it('sends an invalid program back to the model with its error, and runs the repaired one', async () => {
    const { url, openai } = await startAstromeshd();
    openai.enqueue(
      fakeReply.text('```glyph\nnow = datetime_now(tz="UTC")\nreturn now\n```'),
      fakeReply.text(receiptProgram),
      fakeReply.text('Done.'),
    );

    const response = await runOver(url, 'order-receipt', { query: 'Stamp it', context: { zone: 'UTC' } });

    expect(response.status).toBe(200);
    expect((await jsonOf(response)).response).toBe('Done.');
    expect(messagesOf(openai.requests[1] as RecordedRequest).at(-1)?.content).toContain(
      "That program is not valid Glyph: line 1, column 20: datetime_now has no argument 'tz'; it takes: timezone",
    );
  });

  it('sends a program that failed while running back to the model with what already ran, and runs the repaired one', async () => {
    const { url, openai } = await startAstromeshd();
    openai.enqueue(
      // b needs a, so a has returned when b fails.
      fakeReply.text(
        'a = calculator(expression="2 * 3")\nb = json_transform(data=a, template="{% if %}")\nreturn {a, b}',
      ),
      fakeReply.text(receiptProgram),
      fakeReply.text('Done.'),
    );

    const response = await runOver(url, 'order-receipt', { query: 'Stamp it', context: { zone: 'UTC' } });

    expect(response.status).toBe(200);
    const repair = messagesOf(openai.requests[1] as RecordedRequest).at(-1)?.content;
    expect(repair).toContain(
      'The program failed while running: json_transform (line 2) failed: invalid_input: template: ',
    );
    expect(repair).toContain(
      '- calculator({"expression":"2 * 3"}) returned: {"success":true,"data":{"expression":"2 * 3","result":6},"metadata":{},"error":null}',
    );
  });

  it('fails the run with 502 glyph_program_failed naming the last error once max_repairs rounds are spent', async () => {
    const { url, openai } = await startAstromeshd();
    openai.enqueue(fakeReply.text('now = clock()\nreturn now'), fakeReply.text('now = datetime_now(\nreturn now'));

    const response = await runOver(url, 'order-receipt', { query: 'Stamp it' });

    expect(response.status).toBe(502);
    expect(await jsonOf(response)).toMatchObject({
      error: 'glyph_program_failed',
      message:
        "the model's program still failed after 1 repair round(s): line 2, column 1: expected a named argument (name=value) in the call to datetime_now; tools take no positional arguments, found 'return'",
      status: 502,
    });
    expect(openai.requests).toHaveLength(2);
  });

  it("runs a fixed program without any model call and, with narrate: false, answers with the program's result as JSON", async () => {
    const { url, openai } = await startAstromeshd();

    const response = await runOver(url, 'order-receipt-program', { query: 'receipt', context: { zone: 'Asia/Tokyo' } });

    expect(response.status).toBe(200);
    const body = await jsonOf(response);
    expect(body.response).toBe('{"receipt": {"zone": "Asia/Tokyo", "total": 59.97}, "items": 3}');
    expect(body.tool_calls.map((call: { tool: string }) => call.tool).sort()).toEqual([
      'calculator',
      'datetime_now',
      'json_transform',
    ]);
    expect(openai.requests).toHaveLength(0);
  });

  /** An HTTP server that never answers; it records each request and whether its client gave up. */
  async function startSilentServer() {
    const requests: { request: IncomingMessage; abandoned: boolean }[] = [];
    const server = createServer((request) => {
      const entry = { request, abandoned: false };
      requests.push(entry);
      request.socket.once('close', () => {
        entry.abandoned = true;
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    cleanups.push(async () => {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    });
    return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/slow`, requests };
  }

  /** A glyph agent with a fixed program over http_request (to the given server) and a rate-limited calculator. */
  const aProgramAgent = (program: string, options: { timeoutSeconds?: number; httpTimeoutSeconds?: number } = {}) =>
    agentYaml('limits', {
      model: { primary: { provider: 'openai', model: 'gpt-4o-mini' } },
      orchestration: { pattern: 'glyph', narrate: false, timeout_seconds: options.timeoutSeconds ?? 30 },
      program,
      tools: [
        {
          name: 'http_request',
          type: 'builtin',
          config: { allow_localhost: true, timeout_seconds: options.httpTimeoutSeconds ?? 30 },
        },
        { name: 'calculator', type: 'builtin', rate_limit: { window_seconds: 3600, max_calls: 1 } },
      ],
    });

  const waitingProgram = (url: string) =>
    `reply = http_request(method="GET", url="${url}")\nsum = calculator(expression=reply.body)\nreturn sum`;

  it("ends the run with 408 at the agent's timeout_seconds, cancelling the call under way; the call that depends on it never starts", async () => {
    const silent = await startSilentServer();
    const { url } = await startAstromeshd({
      'limits.yaml': aProgramAgent(waitingProgram(silent.url), { timeoutSeconds: 1 }),
    });

    const { events } = await streamAgentRun(url, 'limits', { query: 'go' });

    expect(events.at(-1)).toMatchObject({ type: 'error', error: 'orchestration_timeout', status: 408 });
    expect(events.filter((event: StreamEvent) => event.type === 'tool_call').map((event) => event.tool)).toEqual([
      'http_request',
    ]);
    await eventually(() => expect(silent.requests.map((entry) => entry.abandoned)).toEqual([true]));
  });

  it('cancels the call under way when the client closes the socket mid-run', async () => {
    const silent = await startSilentServer();
    const { url } = await startAstromeshd({ 'limits.yaml': aProgramAgent(waitingProgram(silent.url)) });

    const socket = await openAgentSocket(url, { agent: 'limits' });
    socket.send({ query: 'go' });
    await socket.until((event) => event.type === 'tool_call');
    await eventually(() => expect(silent.requests).toHaveLength(1));
    await socket.close();

    await eventually(() => expect(silent.requests.map((entry) => entry.abandoned)).toEqual([true]));
  });

  it("honours a tool's own timeout: the call fails with timeout and the fixed program fails naming it", async () => {
    const silent = await startSilentServer();
    const { url } = await startAstromeshd({
      'limits.yaml': aProgramAgent(waitingProgram(silent.url), { httpTimeoutSeconds: 0.5 }),
    });

    const response = await runOver(url, 'limits', { query: 'go' });

    expect(response.status).toBe(502);
    expect((await jsonOf(response)).message).toMatch(
      /^the agent file's program failed: http_request \(line 1\) failed: timeout: /,
    );
  });

  it("honours a tool's rate limit: of two calls at once over a limit of one, one is refused and the program fails naming it", async () => {
    const { url } = await startAstromeshd({
      'limits.yaml': aProgramAgent(
        'a = calculator(expression="1 + 1")\nb = calculator(expression="2 + 2")\nreturn {a, b}',
      ),
    });

    const response = await runOver(url, 'limits', { query: 'go' });

    expect(response.status).toBe(502);
    expect((await jsonOf(response)).message).toMatch(
      /^the agent file's program failed: calculator \(line [12]\) failed: rate_limited: /,
    );
  });
});
