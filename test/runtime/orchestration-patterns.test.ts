import { describe, expect, it } from 'vitest';
import type { FakeProvider, RecordedRequest } from '../fakes/fake-provider.ts';
import { fakeReply } from '../fakes/fake-reply.ts';
import { eventually } from '../support/eventually.ts';
import { jsonOf } from '../support/json-of.ts';
import { agentYaml, startTestRuntime, type TestRuntime } from '../support/start-test-runtime.ts';
import { streamAgentRun } from './stream-agent-run.ts';
import { useRuntimeTestKit } from './use-runtime-test-kit.ts';

// Every model role gets a fake of its own (an OpenAI-compatible server at its own endpoint), so
// what each fake received shows which role the runtime routed where, and with which prompt.

interface ChatMessageBody {
  role: string;
  content: unknown;
}

const messagesOf = (request: RecordedRequest) => request.body.messages as ChatMessageBody[];
const lastMessageOf = (request: RecordedRequest) => messagesOf(request).at(-1);
const toolNamesOf = (request: RecordedRequest) =>
  ((request.body.tools ?? []) as { function: { name: string } }[]).map((tool) => tool.function.name);

/** Runs the agent over the WebSocket as a chat UI would: every event, and the text its tokens add up to. */
const streamRun = (runtime: TestRuntime, query: string) => streamAgentRun(runtime.url, 'orchestrated', { query });

/** A candidate served by one fake; the model name says which role it was meant for. */
const candidateAt = (fake: FakeProvider, model: string) => ({
  candidates: [{ provider: 'openai', model, endpoint: fake.baseUrl }],
});

describe('the orchestration patterns, run through the HTTP API', () => {
  const { cleanups, startFake, fakes: startFakes, runtime: startRuntimeWith } = useRuntimeTestKit();

  /** An agent whose default candidate and each role's candidate are the given fakes. */
  function anAgent(options: {
    pattern: string;
    defaultFake: FakeProvider;
    roles?: Record<string, FakeProvider>;
    maxIterations?: number;
  }): string {
    return agentYaml('orchestrated', {
      model: {
        default: candidateAt(options.defaultFake, 'default-model'),
        roles: Object.fromEntries(
          Object.entries(options.roles ?? {}).map(([role, fake]) => [role, candidateAt(fake, `${role}-model`)]),
        ),
      },
      prompts: { system: 'You are a careful assistant.' },
      orchestration: { pattern: options.pattern, max_iterations: options.maxIterations ?? 5 },
      tools: [{ name: 'calculator', type: 'builtin' }],
    });
  }

  const run = async (runtime: TestRuntime, query: string, signal?: AbortSignal) =>
    runtime.request('/v1/agents/orchestrated/run', { method: 'POST', body: JSON.stringify({ query }), signal });

  describe('react', () => {
    it('runs the tools the model asks for, one turn after another, then answers with the reasoner', async () => {
      const fakes = await startFakes('default', 'reasoner');
      fakes.reasoner.enqueue(
        fakeReply.toolCall('calculator', { expression: '6 * 7' }),
        fakeReply.toolCall('calculator', { expression: '42 + 8' }),
        fakeReply.text('6 times 7 plus 8 is 50.'),
      );
      const runtime = await startRuntimeWith({
        'a.yaml': anAgent({ pattern: 'react', defaultFake: fakes.default, roles: { reasoner: fakes.reasoner } }),
      });

      const response = await run(runtime, 'What is 6 times 7, plus 8?');
      const body = await jsonOf(response);

      expect(response.status).toBe(200);
      expect(body.response).toBe('6 times 7 plus 8 is 50.');
      expect(body.tool_calls).toEqual([
        { tool: 'calculator', input: { expression: '6 * 7' }, output: expect.anything(), success: true },
        { tool: 'calculator', input: { expression: '42 + 8' }, output: expect.anything(), success: true },
      ]);
      expect(fakes.default.requestCount).toBe(0);
      expect(fakes.reasoner.requests.map((request) => request.body.model)).toEqual([
        'reasoner-model',
        'reasoner-model',
        'reasoner-model',
      ]);
      expect(fakes.reasoner.requests.map(toolNamesOf)).toEqual([['calculator'], ['calculator'], ['calculator']]);
      const lastMessages = messagesOf(fakes.reasoner.requests[2] as RecordedRequest);
      expect(lastMessages[0]).toEqual({ role: 'system', content: 'You are a careful assistant.' });
      expect(lastMessages[1]).toEqual({ role: 'user', content: 'What is 6 times 7, plus 8?' });
      expect(lastMessages.filter((message) => message.role === 'tool').map((message) => message.content)).toEqual([
        expect.stringContaining('42'),
        expect.stringContaining('50'),
      ]);
    });

    it('runs every tool call of one model turn before asking the model again', async () => {
      const fakes = await startFakes('default');
      fakes.default.enqueue(
        fakeReply.toolCalls([
          { name: 'calculator', input: { expression: '2 + 2' } },
          { name: 'calculator', input: { expression: '3 * 3' } },
        ]),
        fakeReply.text('4 and 9.'),
      );
      const runtime = await startRuntimeWith({ 'a.yaml': anAgent({ pattern: 'react', defaultFake: fakes.default }) });

      const body = await jsonOf(await run(runtime, 'Compute 2 + 2 and 3 * 3'));

      expect(body.response).toBe('4 and 9.');
      expect(body.tool_calls.map((call: { input: unknown }) => call.input)).toEqual([
        { expression: '2 + 2' },
        { expression: '3 * 3' },
      ]);
      expect(fakes.default.requestCount).toBe(2);
      expect(messagesOf(fakes.default.lastRequest).filter((message) => message.role === 'tool')).toHaveLength(2);
    });

    it('makes one last call without tools once max_iterations is reached, and answers with its text', async () => {
      const fakes = await startFakes('default');
      fakes.default.enqueue(
        fakeReply.toolCall('calculator', { expression: '1 + 1' }),
        fakeReply.toolCall('calculator', { expression: '2 + 2' }),
        fakeReply.text('With what I have: 2 and 4.'),
      );
      const runtime = await startRuntimeWith({
        'a.yaml': anAgent({ pattern: 'react', defaultFake: fakes.default, maxIterations: 2 }),
      });

      const response = await run(runtime, 'Keep computing');
      const body = await jsonOf(response);

      expect(response.status).toBe(200);
      expect(body.response).toBe('With what I have: 2 and 4.');
      expect(body.tool_calls).toHaveLength(2);
      expect(fakes.default.requestCount).toBe(3);
      expect(fakes.default.requests.map((request) => 'tools' in request.body)).toEqual([true, true, false]);
      expect(lastMessageOf(fakes.default.lastRequest)).toEqual({
        role: 'user',
        content: expect.stringContaining('do not call tools'),
      });
    });

    it('sends the tool exchanges of the last call as text, since Anthropic refuses tool blocks without tools', async () => {
      const anthropic = await startFake('anthropic');
      anthropic.enqueue(
        fakeReply.toolCall('calculator', { expression: '6 * 7' }),
        fakeReply.text('It is 42, as far as I got.'),
      );
      const runtime = await startTestRuntime({
        agents: {
          'a.yaml': agentYaml('orchestrated', {
            model: {
              primary: { provider: 'anthropic', model: 'claude-sonnet-4-20250514', endpoint: anthropic.baseUrl },
            },
            orchestration: { pattern: 'react', max_iterations: 1 },
            tools: [{ name: 'calculator', type: 'builtin' }],
          }),
        },
        credentials: { ANTHROPIC_API_KEY: 'sk-ant-test' },
      });
      cleanups.push(() => runtime.stop());

      const body = await jsonOf(await run(runtime, 'What is 6 times 7?'));

      expect(body.response).toBe('It is 42, as far as I got.');
      const finalRequest = JSON.stringify(anthropic.lastRequest.body);
      expect(anthropic.lastRequest.body).not.toHaveProperty('tools');
      expect(finalRequest).not.toMatch(/"type":"tool_(use|result)"/);
      expect(finalRequest).toContain('calculator');
      expect(finalRequest).toContain('42');
    });

    it('answers with exactly the text it streamed, model turns joined by a blank line', async () => {
      const fakes = await startFakes('default');
      fakes.default.enqueue(
        fakeReply.toolCalls([{ name: 'calculator', input: { expression: '6 * 7' } }], { text: 'Let me compute.' }),
        fakeReply.text('It is 42.'),
      );
      const runtime = await startRuntimeWith({ 'a.yaml': anAgent({ pattern: 'react', defaultFake: fakes.default }) });

      const streamed = await streamRun(runtime, 'What is 6 times 7?');

      expect(streamed.final).toMatchObject({ type: 'done', response: 'Let me compute.\n\nIt is 42.' });
      expect(streamed.text).toBe('Let me compute.\n\nIt is 42.');
      expect(streamed.events.map((event) => event.type)).toEqual(
        expect.arrayContaining(['token', 'tool_call', 'tool_result', 'done']),
      );
    });

    it('answers over HTTP with the same joined text a stream would show', async () => {
      const fakes = await startFakes('default');
      fakes.default.enqueue(
        fakeReply.toolCalls([{ name: 'calculator', input: { expression: '6 * 7' } }], { text: 'Let me compute.' }),
        fakeReply.text('It is 42.'),
      );
      const runtime = await startRuntimeWith({ 'a.yaml': anAgent({ pattern: 'react', defaultFake: fakes.default }) });

      const body = await jsonOf(await run(runtime, 'What is 6 times 7?'));

      expect(body.response).toBe('Let me compute.\n\nIt is 42.');
    });
  });

  describe('plan_and_execute', () => {
    it('plans with the planner, runs each step with the worker (tools included), answers with the synthesizer', async () => {
      const fakes = await startFakes('default', 'planner', 'worker', 'synthesizer');
      fakes.planner.enqueue(fakeReply.text('{"steps": ["Compute 6 * 7", "Explain the result"]}'));
      fakes.worker.enqueue(
        fakeReply.toolCall('calculator', { expression: '6 * 7' }),
        fakeReply.text('6 * 7 = 42'),
        fakeReply.text('42 is the product.'),
      );
      fakes.synthesizer.enqueue(fakeReply.text('The answer is 42.'));
      const runtime = await startRuntimeWith({
        'a.yaml': anAgent({ pattern: 'plan_and_execute', defaultFake: fakes.default, roles: fakes }),
      });

      const response = await run(runtime, 'What is 6 times 7?');
      const body = await jsonOf(response);

      expect(response.status).toBe(200);
      expect(body.response).toBe('The answer is 42.');
      expect(body.tool_calls).toEqual([
        expect.objectContaining({ tool: 'calculator', input: { expression: '6 * 7' }, success: true }),
      ]);
      expect(fakes.default.requestCount).toBe(0);
      expect(fakes.planner.requestCount).toBe(1);
      expect(lastMessageOf(fakes.planner.lastRequest)?.content).toContain('{"steps":');
      expect(lastMessageOf(fakes.planner.lastRequest)?.content).toContain('Tools available: calculator');
      const [firstStep, firstStepAgain, secondStep] = fakes.worker.requests as RecordedRequest[];
      expect(fakes.worker.requestCount).toBe(3);
      expect(lastMessageOf(firstStep as RecordedRequest)?.content).toBe(
        'Now carry out step 1 of the plan: Compute 6 * 7',
      );
      expect(toolNamesOf(firstStep as RecordedRequest)).toEqual(['calculator']);
      expect(messagesOf(firstStepAgain as RecordedRequest).at(-1)).toMatchObject({
        role: 'tool',
        content: expect.stringContaining('42'),
      });
      expect(lastMessageOf(secondStep as RecordedRequest)?.content).toBe(
        'Results so far:\nStep 1 (Compute 6 * 7): 6 * 7 = 42\n\nNow carry out step 2 of the plan: Explain the result',
      );
      expect(lastMessageOf(fakes.synthesizer.lastRequest)?.content).toBe(
        'The plan was carried out:\nStep 1 (Compute 6 * 7): 6 * 7 = 42\nStep 2 (Explain the result): 42 is the product.' +
          '\n\nNow answer the original request: What is 6 times 7?',
      );
    });

    it('reads a plan the planner wrapped in prose and a ```json fence', async () => {
      const fakes = await startFakes('default', 'planner', 'worker', 'synthesizer');
      fakes.planner.enqueue(
        fakeReply.text('Here is my plan:\n```json\n{"steps": ["Look it up", "Check it"]}\n```\nLet me know.'),
      );
      fakes.worker.setDefaultReply(fakeReply.text('done'));
      fakes.synthesizer.enqueue(fakeReply.text('All checked.'));
      const runtime = await startRuntimeWith({
        'a.yaml': anAgent({ pattern: 'plan_and_execute', defaultFake: fakes.default, roles: fakes }),
      });

      const body = await jsonOf(await run(runtime, 'Find and verify the fact'));

      expect(body.response).toBe('All checked.');
      expect(fakes.worker.requests.map((request) => lastMessageOf(request)?.content)).toEqual([
        'Now carry out step 1 of the plan: Look it up',
        'Results so far:\nStep 1 (Look it up): done\n\nNow carry out step 2 of the plan: Check it',
      ]);
    });

    it('runs the request itself as the only step when the plan is not JSON', async () => {
      const fakes = await startFakes('default', 'planner', 'worker', 'synthesizer');
      fakes.planner.enqueue(fakeReply.text('I would first think about it, then answer.'));
      fakes.worker.enqueue(fakeReply.text('Thought about it.'));
      fakes.synthesizer.enqueue(fakeReply.text('Here is my answer.'));
      const runtime = await startRuntimeWith({
        'a.yaml': anAgent({ pattern: 'plan_and_execute', defaultFake: fakes.default, roles: fakes }),
      });

      const body = await jsonOf(await run(runtime, 'Tell me something'));

      expect(body.response).toBe('Here is my answer.');
      expect(fakes.worker.requests.map((request) => lastMessageOf(request)?.content)).toEqual([
        'Now carry out step 1 of the plan: Tell me something',
      ]);
      expect(lastMessageOf(fakes.synthesizer.lastRequest)?.content).toContain(
        'Step 1 (Tell me something): Thought about it.',
      );
    });

    it('streams only the synthesizer text, and answers with exactly that', async () => {
      const fakes = await startFakes('default', 'planner', 'worker', 'synthesizer');
      fakes.planner.enqueue(fakeReply.text('{"steps": ["Think"]}'));
      fakes.worker.enqueue(fakeReply.text('Worker notes nobody should see.'));
      fakes.synthesizer.enqueue(fakeReply.text('The final answer.'));
      const runtime = await startRuntimeWith({
        'a.yaml': anAgent({ pattern: 'plan_and_execute', defaultFake: fakes.default, roles: fakes }),
      });

      const streamed = await streamRun(runtime, 'Answer me');

      expect(streamed.text).toBe('The final answer.');
      expect(streamed.final).toMatchObject({ type: 'done', response: 'The final answer.' });
    });
  });

  describe('parallel_fan_out', () => {
    it('splits with the planner, works every subtask with the worker, merges with the synthesizer', async () => {
      const fakes = await startFakes('default', 'planner', 'worker', 'synthesizer');
      fakes.planner.enqueue(fakeReply.text('{"subtasks": ["Costs", "Risks", "Benefits"]}'));
      fakes.worker.setDefaultReply(fakeReply.text('Finding.'));
      fakes.synthesizer.enqueue(fakeReply.text('Costs are low, risks small, benefits large.'));
      const runtime = await startRuntimeWith({
        'a.yaml': anAgent({ pattern: 'parallel_fan_out', defaultFake: fakes.default, roles: fakes }),
      });

      const response = await run(runtime, 'Should we move to the cloud?');
      const body = await jsonOf(response);

      expect(response.status).toBe(200);
      expect(body.response).toBe('Costs are low, risks small, benefits large.');
      expect(fakes.default.requestCount).toBe(0);
      expect(lastMessageOf(fakes.planner.lastRequest)?.content).toContain('{"subtasks":');
      expect(fakes.worker.requests.map((request) => lastMessageOf(request)?.content).sort()).toEqual([
        'Work on this subtask of the request: Benefits',
        'Work on this subtask of the request: Costs',
        'Work on this subtask of the request: Risks',
      ]);
      expect(fakes.worker.requests.map(toolNamesOf)).toEqual([['calculator'], ['calculator'], ['calculator']]);
      expect(lastMessageOf(fakes.synthesizer.lastRequest)?.content).toBe(
        'Results of the subtasks:\nSubtask 1 (Costs): Finding.\nSubtask 2 (Risks): Finding.\nSubtask 3 (Benefits): Finding.' +
          '\n\nCombine them into one answer to: Should we move to the cloud?',
      );
    });

    it('starts every subtask before any of them has an answer', async () => {
      const fakes = await startFakes('default', 'planner', 'worker', 'synthesizer');
      fakes.planner.enqueue(fakeReply.text('{"subtasks": ["North", "South", "East", "West"]}'));
      // Workers never answer: had they run one after another, only the first would reach the fake.
      fakes.worker.setDefaultReply(fakeReply.hang());
      const runtime = await startRuntimeWith({
        'a.yaml': anAgent({ pattern: 'parallel_fan_out', defaultFake: fakes.default, roles: fakes }),
      });
      const client = new AbortController();

      const pending = run(runtime, 'Survey every region', client.signal).catch(() => undefined);

      await eventually(() => expect(fakes.worker.requestCount).toBe(4));
      expect(fakes.worker.requests.some((request) => request.isComplete)).toBe(false);
      client.abort();
      await pending;
      await eventually(() => expect(runtime.engine.activeRuns()).toBe(0));
      expect(fakes.synthesizer.requestCount).toBe(0);
    });

    it('answers 503 only once every subtask has stopped, when one of them fails', async () => {
      const fakes = await startFakes('default', 'planner', 'worker', 'synthesizer');
      fakes.planner.enqueue(fakeReply.text('{"subtasks": ["Doomed", "Slow"]}'));
      // Whichever worker asks first is refused; the other is still at work when that happens.
      fakes.worker.enqueue(
        fakeReply.failure(400),
        fakeReply.toolCall('calculator', { expression: '1 + 1' }, { delayMs: 300 }),
        fakeReply.text('Slow but done.'),
      );
      const runtime = await startRuntimeWith({
        'a.yaml': anAgent({ pattern: 'parallel_fan_out', defaultFake: fakes.default, roles: fakes }),
      });

      const response = await run(runtime, 'Do two things');

      expect(response.status).toBe(503);
      expect(await jsonOf(response)).toMatchObject({ error: 'providers_unavailable' });
      expect(fakes.worker.requestCount).toBe(3);
      expect(fakes.synthesizer.requestCount).toBe(0);
    });

    it('works on at most 4 subtasks', async () => {
      const fakes = await startFakes('default', 'planner', 'worker', 'synthesizer');
      fakes.planner.enqueue(fakeReply.text('{"subtasks": ["a", "b", "c", "d", "e", "f"]}'));
      fakes.worker.setDefaultReply(fakeReply.text('ok'));
      fakes.synthesizer.enqueue(fakeReply.text('merged'));
      const runtime = await startRuntimeWith({
        'a.yaml': anAgent({ pattern: 'parallel_fan_out', defaultFake: fakes.default, roles: fakes }),
      });

      const body = await jsonOf(await run(runtime, 'Do six things'));

      expect(body.response).toBe('merged');
      expect(fakes.worker.requestCount).toBe(4);
    });

    it('works on the request itself when the split is not JSON', async () => {
      const fakes = await startFakes('default', 'planner', 'worker', 'synthesizer');
      fakes.planner.enqueue(fakeReply.text('This cannot be split.'));
      fakes.worker.enqueue(fakeReply.text('Did it.'));
      fakes.synthesizer.enqueue(fakeReply.text('Done.'));
      const runtime = await startRuntimeWith({
        'a.yaml': anAgent({ pattern: 'parallel_fan_out', defaultFake: fakes.default, roles: fakes }),
      });

      const body = await jsonOf(await run(runtime, 'Do one thing'));

      expect(body.response).toBe('Done.');
      expect(fakes.worker.requests.map((request) => lastMessageOf(request)?.content)).toEqual([
        'Work on this subtask of the request: Do one thing',
      ]);
    });
  });

  describe('pipeline', () => {
    it('routes analyze, process and synthesize to their stage roles in that order, each fed the one before', async () => {
      const fakes = await startFakes('default', 'stage:analyze', 'stage:process', 'stage:synthesize');
      fakes['stage:analyze'].enqueue(fakeReply.text('They want the total of 19 and 23.'));
      fakes['stage:process'].enqueue(
        fakeReply.toolCall('calculator', { expression: '19 + 23' }),
        fakeReply.text('The total is 42.'),
      );
      fakes['stage:synthesize'].enqueue(fakeReply.text('Your total is 42.'));
      const runtime = await startRuntimeWith({
        'a.yaml': anAgent({ pattern: 'pipeline', defaultFake: fakes.default, roles: fakes }),
      });

      const response = await run(runtime, 'Add 19 and 23');
      const body = await jsonOf(response);

      expect(response.status).toBe(200);
      expect(body.response).toBe('Your total is 42.');
      expect(body.tool_calls).toEqual([expect.objectContaining({ tool: 'calculator', success: true })]);
      expect(fakes.default.requestCount).toBe(0);
      expect(fakes['stage:analyze'].lastRequest.body.model).toBe('stage:analyze-model');
      expect(lastMessageOf(fakes['stage:analyze'].lastRequest)?.content).toContain('Analyze the request above');
      expect(fakes['stage:process'].requestCount).toBe(2);
      expect(lastMessageOf(fakes['stage:process'].requests[0] as RecordedRequest)?.content).toBe(
        'Analysis of the request:\nThey want the total of 19 and 23.\n\nNow do the work.',
      );
      expect(toolNamesOf(fakes['stage:process'].requests[0] as RecordedRequest)).toEqual(['calculator']);
      expect(lastMessageOf(fakes['stage:process'].lastRequest)).toMatchObject({
        role: 'tool',
        content: expect.stringContaining('42'),
      });
      expect(lastMessageOf(fakes['stage:synthesize'].lastRequest)?.content).toBe(
        'Analysis:\nThey want the total of 19 and 23.\n\nWork done:\nThe total is 42.\n\nWrite the final answer to: Add 19 and 23',
      );
    });

    it('calls one model three times in stage order when no stage has a role of its own', async () => {
      const fakes = await startFakes('default');
      fakes.default.enqueue(fakeReply.text('analysis'), fakeReply.text('work'), fakeReply.text('answer'));
      const runtime = await startRuntimeWith({
        'a.yaml': anAgent({ pattern: 'pipeline', defaultFake: fakes.default }),
      });

      const body = await jsonOf(await run(runtime, 'Do it'));

      expect(body.response).toBe('answer');
      expect(fakes.default.requests.map((request) => lastMessageOf(request)?.content)).toEqual([
        expect.stringContaining('Analyze the request above'),
        'Analysis of the request:\nanalysis\n\nNow do the work.',
        'Analysis:\nanalysis\n\nWork done:\nwork\n\nWrite the final answer to: Do it',
      ]);
    });
  });

  describe('an unknown pattern', () => {
    it('is refused at load, and GET /v1/agents names spec.orchestration.pattern', async () => {
      const fakes = await startFakes('default');
      const runtime = await startRuntimeWith({
        'swarming.yaml': anAgent({ pattern: 'single_pass', defaultFake: fakes.default }),
      });

      const list = await jsonOf(await runtime.request('/v1/agents'));
      const response = await runtime.request('/v1/agents/swarming/run', {
        method: 'POST',
        body: JSON.stringify({ query: 'Hi' }),
      });

      expect(list.agents).toEqual([
        expect.objectContaining({
          name: 'swarming',
          status: 'error',
          error: expect.stringMatching(/^swarming\.yaml: spec\.orchestration\.pattern: /),
        }),
      ]);
      expect(response.status).toBe(503);
      expect(await jsonOf(response)).toMatchObject({ error: 'agent_unavailable', status: 503 });
      expect(fakes.default.requestCount).toBe(0);
    });
  });
});
