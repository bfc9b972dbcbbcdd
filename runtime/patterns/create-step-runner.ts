import type { RunTrace } from '../observability/create-tracing.ts';
import type { MetricsRegistry } from '../observability/metrics-registry.ts';
import type { ModelRequest, ModelResponse, ModelRouter, ToolCall, Usage } from '../router/model-types.ts';
import type {
  RunEvent,
  StepRunner,
  StepTotals,
  ToolCallOptions,
  ToolInvoker,
  ToolOutcome,
  ToolResultTruncation,
} from './pattern-types.ts';
import { defaultMaxToolResultTokens, presentToolResult } from './present-tool-result.ts';

export interface StepRunnerDeps {
  router: ModelRouter;
  tools: ToolInvoker;
  signal: AbortSignal;
  emit: (event: RunEvent) => void;
  /**
   * Whether someone watches the run as it happens (WebSocket). A plain HTTP run needs no token
   * stream, so its model calls use the provider's JSON answer: same result, far less work.
   */
  streaming: boolean;
  trace: RunTrace;
  metrics: MetricsRegistry;
  now: () => number;
  /**
   * orchestration.role_map: a pattern's role (planner, worker, reasoner…) → the model role whose
   * candidates serve it. Unmapped roles keep their own name; the router falls back to default.
   */
  roleMap?: Readonly<Record<string, string>>;
  /**
   * The token budget of a tool's result as the model reads it (the tool's `max_result_tokens`,
   * else `orchestration.max_tool_result_tokens`). Default: upstream's 8,000 for every tool.
   */
  maxToolResultTokens?: (tool: string) => number;
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
    // As upstream's engine: the pattern's role through role_map, then the router's group of that name.
    const modelRole = deps.roleMap && Object.hasOwn(deps.roleMap, role) ? (deps.roleMap[role] as string) : role;
    const routed = modelRole === request.role ? request : { ...request, role: modelRole };
    return deps.trace.span('llm.complete', { role, resolved_role: modelRole }, async (span) => {
      const startedAt = deps.now();
      // Several model turns write one answer; a blank line keeps their texts apart, in the stream
      // exactly as in the final response.
      let separatorPending = totals.answer !== '';
      const writeAnswer = (text: string) => {
        if (!options.streamText || text === '') return;
        if (separatorPending) streamToken('\n\n');
        separatorPending = false;
        streamToken(text);
      };
      let response: ModelResponse | undefined;
      try {
        if (deps.streaming) {
          for await (const chunk of deps.router.stream(routed, deps.signal)) {
            if (chunk.type === 'text') writeAnswer(chunk.text);
            else if (chunk.type === 'finish') response = chunk.response;
          }
        } else {
          response = await deps.router.generate(routed, deps.signal);
          writeAnswer(response.text);
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

  // Text no model call wrote still joins the answer as a part of its own, like a model turn's.
  function writeAnswer(text: string): void {
    if (text === '') return;
    if (totals.answer !== '') streamToken('\n\n');
    streamToken(text);
  }

  async function callTool(call: ToolCall, options: ToolCallOptions = {}): Promise<ToolOutcome> {
    deps.emit({ type: 'tool_call', id: call.id, tool: call.name, input: call.input });
    // A hand-off is marked on its span, so the run's trace shows where control went.
    const attributes = options.handoff ? { tool: call.name, handoff: true } : { tool: call.name };
    const result = await deps.trace.span('tool.call', attributes, async (span) => {
      const startedAt = deps.now();
      try {
        const outcome = await deps.tools.execute(call, deps.signal, options);
        span.setAttributes({ success: outcome.success, ...(outcome.success ? {} : { error: outcome.error.code }) });
        return outcome;
      } finally {
        totals.toolMs += deps.now() - startedAt;
        deps.metrics.increment('tool.executions');
      }
    });
    const output = result.success ? result.data : { error: result.error };
    const maxTokens = deps.maxToolResultTokens?.(call.name) ?? defaultMaxToolResultTokens;
    const presented = options.forModel ? presentToolResult(output, maxTokens) : undefined;
    // The caller keeps the whole output; `truncated` says the model read less of it.
    const truncation: { truncated?: ToolResultTruncation } = presented?.truncated
      ? { truncated: { tokens: presented.tokens, max_tokens: maxTokens, omitted: presented.omitted } }
      : {};
    totals.toolCalls.push({ tool: call.name, input: call.input, output, success: result.success, ...truncation });
    deps.emit({ type: 'tool_result', id: call.id, tool: call.name, output, success: result.success, ...truncation });
    return presented ? { ...result, modelText: presented.text } : result;
  }

  return {
    steps: { callModel, callTool, writeAnswer, tools: deps.tools.definitions, signal: deps.signal },
    totals,
  };
}

function addUsage(total: Usage, more: Usage): void {
  total.inputTokens += more.inputTokens;
  total.outputTokens += more.outputTokens;
}
