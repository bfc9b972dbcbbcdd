import type { ToolDefinition } from '../../router/model-types.ts';

// Upstream's `ask`: a program asks the model for judgement (summarise, classify, word) as a step.
const askTool: ToolDefinition = {
  name: 'ask',
  description: 'Ask the language model for a judgement (summarise, classify, word something); costs one model call.',
  inputSchema: {
    type: 'object',
    properties: { prompt: { type: 'string' }, context: { type: 'object' } },
    required: ['prompt'],
  },
};

/** What a program may call: the agent's tools, plus `ask` unless the agent has a tool of that name. */
export function withAskTool(tools: readonly ToolDefinition[]): ToolDefinition[] {
  return tools.some((tool) => tool.name === 'ask') ? [...tools] : [...tools, askTool];
}
