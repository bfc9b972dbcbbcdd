import type { RunTrace } from '../observability/create-tracing.ts';
import type { MetricsRegistry } from '../observability/metrics-registry.ts';
import type { ModelRequest, ModelResponse, ModelRouter, ToolCall, Usage } from '../router/model-types.ts';
import type { ToolResult } from '../tools/tool-types.ts';
import type { RunEvent, StepRunner, StepTotals, ToolInvoker } from './pattern-types.ts';

export interface StepRunnerDeps {
  router: ModelRouter;
  tools: ToolInvoker;
  signal: AbortSignal;
  emit: (event: RunEvent) => void;
  trace: RunTrace;
  metrics: MetricsRegistry;
  now: () => number;
}

export function createStepRunner(deps: StepRunnerDeps): { steps: StepRunner; totals: StepTotals } {
  const totals: StepTotals = {
    answer: '',
    usage: { inputTokens: 0, outputTokens: 0 },
    modelMs: 0,
    toolMs: 0,
    toolCalls: [],
    model: undefined,
    provider: undefined,
  };
  const streamToken = (content: string) => {
    totals.answer += content;
    deps.emit({ type: 'token', content });
  };

  async function callModel(request: ModelRequest, options: { streamText: boolean }): Promise<ModelResponse> {
    const role = request.role ?? 'default';
    return deps.trace.span('llm.complete', { role }, async (span) => {
      const startedAt = deps.now();
      let separatorPending = totals.answer !== '';
      let response: ModelResponse | undefined;
      try {
        for await (const chunk of deps.router.stream(request, deps.signal)) {
          if (chunk.type === 'text' && options.streamText && chunk.text !== '') {
            // Several model turns write one answer; a blank line keeps their texts apart, in the
            // stream exactly as in the final response.
            if (separatorPending) streamToken('\n\n');
            separatorPending = false;
            streamToken(chunk.text);
          } else if (chunk.type === 'finish') {
            response = chunk.response;
          }
        }
      } finally {
        totals.modelMs += deps.now() - startedAt;
        deps.metrics.increment('llm.calls');
      }
      if (!response) throw new Error('the model stream ended without a finish event');
      addUsage(totals.usage, response.usage);
      totals.model = response.model;
      totals.provider = response.provider;
      span.setAttributes({
        model: response.model,
        provider: response.provider,
        input_tokens: response.usage.inputTokens,
        output_tokens: response.usage.outputTokens,
        tool_calls: response.toolCalls.length,
        finish_reason: response.finishReason,
      });
      return response;
    });
  }

  async function callTool(call: ToolCall): Promise<ToolResult> {
    deps.emit({ type: 'tool_call', id: call.id, tool: call.name, input: call.input });
    const result = await deps.trace.span('tool.call', { tool: call.name }, async (span) => {
      const startedAt = deps.now();
      try {
        const outcome = await deps.tools.execute(call, deps.signal);
        span.setAttributes({ success: outcome.success, ...(outcome.success ? {} : { error: outcome.error.code }) });
        return outcome;
      } finally {
        totals.toolMs += deps.now() - startedAt;
        deps.metrics.increment('tool.executions');
      }
    });
    const output = result.success ? result.data : { error: result.error };
    totals.toolCalls.push({ tool: call.name, input: call.input, output, success: result.success });
    deps.emit({ type: 'tool_result', id: call.id, tool: call.name, output, success: result.success });
    return result;
  }

  return {
    steps: { callModel, callTool, tools: deps.tools.definitions, signal: deps.signal },
    totals,
  };
}

function addUsage(total: Usage, more: Usage): void {
  total.inputTokens += more.inputTokens;
  total.outputTokens += more.outputTokens;
}
