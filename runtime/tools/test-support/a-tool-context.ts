import { pino } from 'pino';
import type { Tool, ToolContext } from '../tool-types.ts';

/** A context for running one tool directly: no credentials, an empty config, a live signal. */
export function aToolContext(overrides: Partial<ToolContext> = {}): ToolContext {
  return {
    agent: 'acme__support-bot',
    sessionId: undefined,
    config: {},
    credentials: () => undefined,
    signal: new AbortController().signal,
    log: pino({ level: 'silent' }),
    ...overrides,
  };
}

/** Validates `input` as the toolset would (defaults applied), then runs the tool. */
export async function runTool<Input>(
  tool: Tool<Input>,
  input: unknown,
  overrides: Partial<ToolContext> = {},
): Promise<unknown> {
  return tool.run(tool.inputSchema.parse(input), aToolContext(overrides));
}

/** A credentials lookup over a fixed map. */
export function credentialsFrom(values: Record<string, string>): ToolContext['credentials'] {
  return (name) => values[name];
}
