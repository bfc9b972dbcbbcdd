import type { ChatMessage, ToolDefinition } from '../../router/model-types.ts';
import type { ToolResult } from '../../tools/tool-types.ts';
import type { Pattern, StepRunner } from '../pattern-types.ts';
import { compileGlyph } from './compile-glyph.ts';
import type { GlyphInvoke } from './evaluate-glyph.ts';
import { formatGlyphResult } from './format-glyph-result.ts';
import { withAskTool } from './glyph-ask-tool.ts';
import { GlyphExecutionError, GlyphProgramError } from './glyph-errors.ts';
import { GlyphProgramFailed } from './glyph-program-failed.ts';
import { extractGlyphProgram, failedRunRepair, glyphInstructions, invalidProgramRepair } from './glyph-prompt.ts';
import { parseGlyph } from './parse-glyph.ts';
import { type GlyphRunResult, runGlyphPlan } from './run-glyph-plan.ts';

/** An agent's glyph settings, from its file (orchestration.narrate/max_repairs, spec.program) and the request. */
export interface GlyphSettings {
  /** true (upstream's default): a last model call words the result; false: the result, as JSON, is the answer. */
  narrate: boolean;
  /** Repair rounds after an invalid or failed program the model wrote (upstream default 2). */
  maxRepairs: number;
  /** A program fixed in the agent file: no model call writes one. */
  program?: string;
  /** The request's context, which a program reads as `context`. */
  context: Record<string, unknown>;
  /**
   * The agent's builtin tools. A program sees what one returned the way upstream's programs do,
   * in upstream's result envelope `{success, data, metadata, error}`, so upstream's programs
   * (`local.data.datetime`) read the same fields here.
   */
  builtinTools: readonly string[];
}

/**
 * Glyph (upstream 0.74): one program per run instead of one tool call per turn. The model
 * (role `reasoner`) writes a small program over the agent's tools once, or the agent file fixes
 * one (`program`); the runtime validates it and runs it as a DAG, independent calls in parallel.
 * An invalid or failing program the model wrote goes back to it with the error for up to
 * max_repairs rounds (bounded by max_iterations − 1, as upstream); then the run fails. With
 * narrate, a last model call (role `default`) words the result; without, the result is the answer.
 */
export const glyph: Pattern = async ({ messages, query, maxIterations, steps, glyph: settings }) => {
  const tools = withAskTool(steps.tools);
  const invoke = invokerFor(steps, new Set(settings.builtinTools));
  const runProgram = (source: string): Promise<GlyphRunResult> =>
    runGlyphPlan(compileGlyph(parseGlyph(source), tools), {
      invoke,
      query,
      context: settings.context,
      signal: steps.signal,
    });

  let source: string;
  let result: GlyphRunResult;
  if (settings.program !== undefined) {
    source = settings.program;
    try {
      result = await runProgram(source);
    } catch (err) {
      if (!isProgramFault(err)) throw err;
      throw new GlyphProgramFailed({ lastError: err, repairs: 0, program: source, fixed: true });
    }
  } else {
    ({ source, result } = await writeAndRun({ messages, maxIterations, steps, settings, tools, runProgram }));
  }

  const rendered = formatGlyphResult(result.value);
  if (!settings.narrate) {
    steps.writeAnswer(rendered);
    return;
  }
  // The narration needs neither the grammar nor the repair rounds: only the request, the program and its result.
  await steps.callModel(
    {
      messages: [
        ...messages,
        { role: 'assistant', content: `I ran this program:\n\`\`\`glyph\n${source}\n\`\`\`` },
        {
          role: 'user',
          content: `Result of running it:\n${rendered}\n\nAnswer the original request with this result.`,
        },
      ],
      role: 'default',
    },
    { streamText: true },
  );
};

async function writeAndRun(options: {
  messages: ChatMessage[];
  maxIterations: number;
  steps: StepRunner;
  settings: GlyphSettings;
  tools: ToolDefinition[];
  runProgram: (source: string) => Promise<GlyphRunResult>;
}): Promise<{ source: string; result: GlyphRunResult }> {
  const { messages, steps } = options;
  // The grammar goes before the user's message, in a message of its own: it is the same on every
  // run, so the prompt's prefix stays cacheable.
  const conversation: ChatMessage[] = [
    ...messages.slice(0, -1),
    { role: 'user', content: glyphInstructions(options.tools, new Set(options.settings.builtinTools)) },
    ...messages.slice(-1),
  ];
  const budget = Math.max(0, Math.min(options.settings.maxRepairs, options.maxIterations - 1));
  for (let repairs = 0; ; repairs++) {
    const reply = await steps.callModel({ messages: conversation, role: 'reasoner' }, { streamText: false });
    const source = extractGlyphProgram(reply.text);
    try {
      return { source, result: await options.runProgram(source) };
    } catch (err) {
      if (!isProgramFault(err)) throw err;
      if (repairs >= budget) throw new GlyphProgramFailed({ lastError: err, repairs, program: source, fixed: false });
      conversation.push(
        { role: 'assistant', content: reply.text },
        {
          role: 'user',
          content: err instanceof GlyphExecutionError ? failedRunRepair(err) : invalidProgramRepair(err),
        },
      );
    }
  }
}

function isProgramFault(err: unknown): err is GlyphProgramError | GlyphExecutionError {
  return err instanceof GlyphProgramError || err instanceof GlyphExecutionError;
}

/** Tool calls go through the run's StepRunner (events, rate limits, timeouts, records); `ask` is a model call. */
function invokerFor(steps: StepRunner, builtinTools: ReadonlySet<string>): GlyphInvoke {
  let count = 0;
  const own = new Set(steps.tools.map((tool) => tool.name));
  return async (tool, input): Promise<ToolResult> => {
    count++;
    if (tool === 'ask' && !own.has('ask')) {
      const prompt = String(input.prompt ?? '');
      const content = input.context === undefined ? prompt : `${prompt}\n\nContext:\n${JSON.stringify(input.context)}`;
      const reply = await steps.callModel(
        { messages: [{ role: 'user', content }], role: 'default' },
        { streamText: false },
      );
      return { success: true, data: reply.text };
    }
    const result = await steps.callTool({ id: `glyph_${count}`, name: tool, input });
    if (!result.success || !builtinTools.has(tool)) return result;
    return { success: true, data: { success: true, data: result.data, metadata: {}, error: null } };
  };
}
