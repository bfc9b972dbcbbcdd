import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { type AgentToolSpec, createAgentToolset } from './create-agent-toolset.ts';
import { startFakeHttpServer } from './test-support/start-fake-http-server.ts';
import { type Tool, ToolConfigError } from './tool-types.ts';

function aToolset(specs: AgentToolSpec[], overrides: Partial<Parameters<typeof createAgentToolset>[0]> = {}) {
  return createAgentToolset({
    agent: 'acme__support-bot',
    specs,
    credentials: () => undefined,
    log: pino({ level: 'silent' }),
    ...overrides,
  });
}

function aClock() {
  let now = new Date('2026-03-01T12:00:00Z');
  return {
    clock: () => now,
    advanceSeconds(seconds: number) {
      now = new Date(now.getTime() + seconds * 1000);
    },
  };
}

/** A test tool whose behaviour the test chooses. */
function aFakeTool(run: Tool<{ text: string }>['run']): Tool<{ text: string }> {
  return { name: 'fake', description: 'A fake tool.', inputSchema: z.object({ text: z.string().default('') }), run };
}

const live = () => ({ signal: new AbortController().signal });

describe('createAgentToolset', () => {
  describe('definitions', () => {
    it('describes each builtin tool to the model, in the order of the specs', () => {
      const toolset = aToolset([{ name: 'web_search' }, { name: 'calculator', type: 'builtin' }]);

      expect(toolset.definitions.map((definition) => definition.name)).toEqual(['web_search', 'calculator']);
    });

    it('gives the model the JSON Schema of the input', () => {
      const toolset = aToolset([{ name: 'calculator' }]);

      expect(toolset.definitions[0]?.inputSchema).toEqual({
        type: 'object',
        properties: { expression: expect.objectContaining({ type: 'string', maxLength: 1000 }) },
        required: ['expression'],
      });
    });

    it('leaves agent and client tools to the engine', () => {
      const toolset = aToolset([
        { name: 'research', type: 'agent', agent: 'web-researcher' },
        { name: 'show_card', type: 'client' },
        { name: 'calculator' },
      ]);

      expect(toolset.definitions.map((definition) => definition.name)).toEqual(['calculator']);
    });

    it("uses the spec's description when it has one", () => {
      const toolset = aToolset([{ name: 'calculator', description: 'Do the maths for invoices.' }]);

      expect(toolset.definitions[0]?.description).toBe('Do the maths for invoices.');
    });
  });

  describe('configuration errors', () => {
    it('throws a clear error for an unknown builtin name', () => {
      expect(() => aToolset([{ name: 'web_serch' }])).toThrow(
        expect.objectContaining({
          name: 'ToolConfigError',
          message: expect.stringMatching(
            /^tool 'web_serch': not a built-in tool; the built-in tools are datetime_now, /,
          ),
        }),
      );
    });

    it('throws for a tool listed twice', () => {
      expect(() => aToolset([{ name: 'calculator' }, { name: 'calculator' }])).toThrow(ToolConfigError);
    });

    it('throws naming the config key of a mistyped setting', () => {
      expect(() => aToolset([{ name: 'http_request', config: { allow_localhost: 'yes' } }])).toThrow(
        /^tool 'http_request': config\.allow_localhost: /,
      );
    });

    it('throws for an invalid timeout_seconds on any tool', () => {
      expect(() => aToolset([{ name: 'calculator', config: { timeout_seconds: -1 } }])).toThrow(
        /config\.timeout_seconds/,
      );
    });
  });

  describe('execute', () => {
    it('returns the data of a successful call', async () => {
      const toolset = aToolset([{ name: 'calculator' }]);

      const result = await toolset.execute({ name: 'calculator', input: { expression: '6 * 7' } }, live());

      expect(result).toEqual({ success: true, data: { expression: '6 * 7', result: 42 } });
    });

    it('answers invalid_input for a tool the agent does not have', async () => {
      const toolset = aToolset([{ name: 'calculator' }]);

      const result = await toolset.execute({ name: 'http_request', input: {} }, live());

      expect(result).toEqual({
        success: false,
        error: { code: 'invalid_input', message: "unknown tool 'http_request'; this agent's tools are: calculator" },
      });
    });

    it('answers invalid_input naming the path of the bad field', async () => {
      const toolset = aToolset([{ name: 'http_request' }]);

      const result = await toolset.execute(
        { name: 'http_request', input: { method: 'GET', url: 'https://example.com', headers: { 'X-Count': 3 } } },
        live(),
      );

      expect(result).toEqual({
        success: false,
        error: {
          code: 'invalid_input',
          message: 'invalid input for http_request: headers.X-Count: Invalid input: expected string, received number',
        },
      });
    });

    it('treats a missing input as an empty object', async () => {
      const toolset = aToolset([{ name: 'calculator' }]);

      const result = await toolset.execute({ name: 'calculator', input: undefined }, live());

      expect(result).toMatchObject({ success: false, error: { code: 'invalid_input' } });
    });

    it('returns a ToolError as a failure result with its code', async () => {
      const toolset = aToolset([{ name: 'web_search' }]);

      const result = await toolset.execute({ name: 'web_search', input: { query: 'news' } }, live());

      expect(result).toMatchObject({ success: false, error: { code: 'not_configured' } });
    });

    it('refuses a loopback URL through the SSRF guard by default', async () => {
      const server = await startFakeHttpServer();
      const toolset = aToolset([{ name: 'http_request' }]);

      const result = await toolset.execute({ name: 'http_request', input: { method: 'GET', url: server.url } }, live());

      expect(result).toMatchObject({ success: false, error: { code: 'refused' } });
    });

    it('turns any other error into failed with its message', async () => {
      const crashing = aFakeTool(async () => {
        throw new TypeError('cannot read properties of undefined');
      });
      const toolset = aToolset([{ name: 'fake' }], { tools: [crashing] });

      const result = await toolset.execute({ name: 'fake', input: {} }, live());

      expect(result).toEqual({
        success: false,
        error: { code: 'failed', message: 'cannot read properties of undefined' },
      });
    });

    it('stops a tool that ignores its signal at timeout_seconds', async () => {
      const hanging = aFakeTool(() => new Promise(() => {}));
      const toolset = aToolset([{ name: 'fake', config: { timeout_seconds: 0.1 } }], { tools: [hanging] });

      const result = await toolset.execute({ name: 'fake', input: {} }, live());

      expect(result).toEqual({
        success: false,
        error: { code: 'timeout', message: 'fake did not finish within 0.1 s' },
      });
    });

    it('answers failed when the caller cancels the run', async () => {
      const hanging = aFakeTool(() => new Promise(() => {}));
      const toolset = aToolset([{ name: 'fake' }], { tools: [hanging] });
      const controller = new AbortController();
      const running = toolset.execute({ name: 'fake', input: {} }, { signal: controller.signal });

      controller.abort(new Error('client disconnected'));

      expect(await running).toEqual({
        success: false,
        error: { code: 'failed', message: 'cancelled: client disconnected' },
      });
    });

    it('gives the tool its agent, session, config and a signal', async () => {
      const echo = aFakeTool(async (_, context) => ({
        agent: context.agent,
        sessionId: context.sessionId,
        config: context.config,
        hasSignal: context.signal instanceof AbortSignal,
      }));
      const toolset = aToolset([{ name: 'fake', config: { colour: 'blue' } }], { tools: [echo] });

      const result = await toolset.execute({ name: 'fake', input: {} }, { sessionId: 's-1', ...live() });

      expect(result).toEqual({
        success: true,
        data: { agent: 'acme__support-bot', sessionId: 's-1', config: { colour: 'blue' }, hasSignal: true },
      });
    });

    it('keeps cache_store entries per agent', async () => {
      const first = aToolset([{ name: 'cache_store' }], { agent: 'acme__first' });
      const second = aToolset([{ name: 'cache_store' }], { agent: 'acme__second' });
      await first.execute({ name: 'cache_store', input: { action: 'set', key: 'k', value: 1 } }, live());

      const result = await second.execute({ name: 'cache_store', input: { action: 'get', key: 'k' } }, live());

      expect(result).toEqual({ success: true, data: { key: 'k', found: false } });
    });
  });

  describe('rate limits', () => {
    const oncePerMinute = { window_seconds: 60, max_calls: 1 };

    it('answers rate_limited past max_calls in the window', async () => {
      const { clock } = aClock();
      const toolset = aToolset([{ name: 'calculator', rate_limit: oncePerMinute }], { clock });
      await toolset.execute({ name: 'calculator', input: { expression: '1' } }, live());

      const result = await toolset.execute({ name: 'calculator', input: { expression: '1' } }, live());

      expect(result).toEqual({
        success: false,
        error: { code: 'rate_limited', message: 'calculator allows 1 calls per 60 s; try again in 60 s' },
      });
    });

    it('allows the call again once the window has passed', async () => {
      const time = aClock();
      const toolset = aToolset([{ name: 'calculator', rate_limit: oncePerMinute }], { clock: time.clock });
      await toolset.execute({ name: 'calculator', input: { expression: '1' } }, live());
      time.advanceSeconds(60);

      const result = await toolset.execute({ name: 'calculator', input: { expression: '1' } }, live());

      expect(result.success).toBe(true);
    });

    it('does not count a call with invalid input', async () => {
      const { clock } = aClock();
      const toolset = aToolset([{ name: 'calculator', rate_limit: oncePerMinute }], { clock });
      await toolset.execute({ name: 'calculator', input: {} }, live());

      const result = await toolset.execute({ name: 'calculator', input: { expression: '1' } }, live());

      expect(result.success).toBe(true);
    });
  });
});
