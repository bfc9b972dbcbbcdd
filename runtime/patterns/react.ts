import type { ChatMessage, ToolCall } from '../router/model-types.ts';
import type { ToolResult } from '../tools/tool-types.ts';
import type { Pattern, StepRunner, ToolCallOptions, ToolOutcome } from './pattern-types.ts';
import { toolExchangesAsText } from './tool-exchanges-as-text.ts';

const answerNowInstruction =
  'You have used every tool call this run allows. Answer the user now with what you have; do not call tools.';

/**
 * ReAct with native tool calling: the model answers or asks for tools; tool results go back
 * into the conversation; repeat. After `maxIterations` model calls that all asked for tools,
 * one last call without tools makes the model answer with what it has (upstream returned
 * "Max iterations reached" instead of an answer); that call sees the tool exchanges as text.
 */
export const react: Pattern = async ({ messages, maxIterations, steps }) => {
  await reactLoop({ messages, maxIterations, steps, role: 'reasoner', streamText: true });
};

/** The loop itself; other patterns run it for their worker steps without streaming. */
export async function reactLoop(options: {
  messages: ChatMessage[];
  maxIterations: number;
  steps: StepRunner;
  role: string;
  streamText: boolean;
  /**
   * Runs one tool call instead of `steps.callTool` (a supervisor refusing non-workers, a swarm
   * handing off); `options` go on to `steps.callTool`.
   */
  runTool?: (call: ToolCall, options: ToolCallOptions) => Promise<ToolOutcome>;
  /** The run's final answer, if this call's result is one (a swarm hand-off's answer): the loop ends with it. */
  finalAnswerOf?: (call: ToolCall, result: ToolResult) => string | undefined;
}): Promise<string> {
  const { steps, role, streamText } = options;
  const conversation = [...options.messages];
  const texts: string[] = [];
  for (let iteration = 0; iteration < options.maxIterations; iteration++) {
    const response = await steps.callModel({ messages: conversation, tools: steps.tools, role }, { streamText });
    if (response.text !== '') texts.push(response.text);
    if (response.toolCalls.length === 0) return texts.join('\n\n');
    conversation.push({ role: 'assistant', content: response.text, toolCalls: response.toolCalls });
    for (const call of response.toolCalls) {
      // forModel: the result comes back cut to the tool's token budget, as the model will read it.
      const result = await (options.runTool ?? steps.callTool)(call, { forModel: true });
      const finalAnswer = options.finalAnswerOf?.(call, result);
      if (finalAnswer !== undefined) {
        if (streamText) steps.writeAnswer(finalAnswer);
        texts.push(finalAnswer);
        return texts.join('\n\n');
      }
      conversation.push({
        role: 'tool',
        toolCallId: call.id,
        toolName: call.name,
        content: result.modelText ?? JSON.stringify(result.success ? result.data : { error: result.error }),
      });
    }
  }
  conversation.push({ role: 'user', content: answerNowInstruction });
  const final = await steps.callModel({ messages: toolExchangesAsText(conversation), role }, { streamText });
  if (final.text !== '') texts.push(final.text);
  return texts.join('\n\n');
}
