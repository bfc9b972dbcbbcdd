import { agentIdOf } from '../../crds/cloud-agent.ts';
import type { AgentDocument, GuardrailSpec, ModelBlock } from '../../runtime/config/agent-schema.ts';
import { type ConfigIssue, checkAgentDocument } from '../../runtime/config/load-agent-file.ts';
import { createAgentChecks } from '../../runtime/engine/create-agent-checks.ts';
import type { WizardIssue } from '../schemas/compiled-agent-preview.ts';
import type { WizardConfig } from '../schemas/wizard-config.ts';
import { compileMcpTool, type McpToolServers, noMcpToolServers } from './compile-mcp-tool.ts';

// Guardrail names of the wizard, as the rules the runtime applies. Settings a bare name cannot
// carry get defaults here; cost_limit takes step5.max_tokens.
const inputRules: Record<WizardConfig['step5']['input_guardrails'][number], () => GuardrailSpec> = {
  pii_filter: () => ({ type: 'pii_filter', action: 'redact' }),
  pii_detection: () => ({ type: 'pii_detection', action: 'redact' }),
  max_length: () => ({ type: 'max_length', max_chars: 10_000 }),
};
const outputRules: Record<WizardConfig['step5']['output_guardrails'][number], (maxTokens: number) => GuardrailSpec> = {
  pii_filter: () => ({ type: 'pii_filter', action: 'redact' }),
  pii_detection: () => ({ type: 'pii_detection', action: 'redact' }),
  content_safety: () => ({ type: 'content_safety' }),
  cost_limit: (maxTokens) => ({ type: 'cost_limit', max_tokens_per_turn: maxTokens }),
};

/**
 * Compiles a WizardConfig into the `astromesh/v1` Agent the runtime loads, with agent id
 * `{org_slug}__{name}`. Pure: the same input always gives the same document.
 *
 * `version` (the agent version being deployed) becomes metadata.version: the runtime answers each
 * run with the version of the file it ran, which stays true while a rollout still has pods on the
 * previous file (the API's own idea of the deployed version would already be the new one).
 */
export function compileWizardConfig(input: {
  orgSlug: string;
  config: WizardConfig;
  version?: number;
  /** The org's MCP servers that step3.mcp_servers may name; none given: bare entries (compileMcpTool). */
  mcp?: McpToolServers;
}): AgentDocument {
  const { orgSlug, config } = input;
  const mcp = input.mcp ?? noMcpToolServers;
  const { step1, step2, step3, step4, step5 } = config;
  const maxTokens = step5.max_tokens;
  const persona = step2.persona?.trim();
  const system = [personaLine(step2), step2.system_prompt].filter((part) => part !== '').join('\n\n');
  return {
    apiVersion: 'astromesh/v1',
    kind: 'Agent',
    metadata: {
      name: agentIdOf(orgSlug, config.name),
      ...(input.version === undefined ? {} : { version: String(input.version) }),
      labels: { 'astromesh.io/org': orgSlug, 'astromesh.io/agent': config.name },
    },
    spec: {
      identity: { display_name: config.display_name ?? config.name, ...(persona ? { description: persona } : {}) },
      model: {
        primary: modelBlock(step1.model, maxTokens),
        ...(step1.fallback_model ? { fallback: modelBlock(step1.fallback_model, maxTokens) } : {}),
        // The wizard's fallback is a fallback: keep primary first. capability_match only moves a
        // model behind the other when tools are offered and it cannot call them.
        routing: { strategy: 'capability_match' },
      },
      ...(system === '' ? {} : { prompts: { system } }),
      orchestration: { pattern: 'react', max_iterations: 10 },
      // MCP servers after the built-in tools, in the wizard's order: wizardFieldOf counts on it.
      tools: [
        ...step3.tools.map((name) => ({ name, type: 'builtin' as const })),
        ...(step3.mcp_servers ?? []).map((server) => compileMcpTool(server, mcp)),
      ],
      memory: {
        conversational: {
          strategy: step4.memory_strategy,
          ...(step4.memory_strategy === 'sliding_window' ? { window_size: step4.window_size } : {}),
          ...(step4.memory_strategy === 'summary' ? { max_turns: step4.window_size } : {}),
        },
      },
      guardrails: {
        input: step5.input_guardrails.map((name) => inputRules[name]()),
        output: step5.output_guardrails.map((name) => outputRules[name](maxTokens)),
      },
    },
  };
}

/** The prompt's first line when a persona is given: the runtime's system prompt is this, a blank line, then step2's. */
function personaLine(step2: WizardConfig['step2']): string {
  const persona = step2.persona?.trim();
  return persona ? `You are ${persona}.` : '';
}

function modelBlock(ref: string, maxTokens: number): ModelBlock {
  const slash = ref.indexOf('/');
  return {
    provider: ref.slice(0, slash) as ModelBlock['provider'],
    model: ref.slice(slash + 1),
    max_tokens: maxTokens,
  };
}

/**
 * What the runtime would refuse in the compiled agent (unknown tools, a prompt that is not a valid
 * template…), named by WizardConfig field, so the API refuses it on create and update.
 */
export function wizardConfigIssues(input: {
  orgSlug: string;
  config: WizardConfig;
  mcp?: McpToolServers;
}): WizardIssue[] {
  // As the Cloud's runtimes check it: they start with --disable-mcp-stdio.
  const checked = checkAgentDocument(
    compileWizardConfig(input),
    createAgentChecks({ hasPostgresMemory: true, allowMcpStdio: false }),
  );
  return checked.issues.map((issue) => {
    const field = wizardFieldOf(issue.path, input.config.step3);
    return field === 'step2.system_prompt'
      ? promptIssue(input.config.step2, issue.message)
      : { field, message: issue.message };
  });
}

/**
 * A template error of the compiled system prompt, placed where its author wrote it: the persona
 * line comes first in the compiled prompt, so the error's `line:N` counts from the persona. An
 * error within those lines is the persona's; one after is the prompt's, at its own line number.
 */
function promptIssue(step2: WizardConfig['step2'], message: string): WizardIssue {
  const persona = personaLine(step2);
  const prefixLines = persona === '' || step2.system_prompt === '' ? 0 : persona.split('\n').length + 1;
  const line = Number(/line:(\d+)/.exec(message)?.[1] ?? Number.NaN);
  if (prefixLines === 0 || Number.isNaN(line)) return { field: 'step2.system_prompt', message };
  if (line <= prefixLines) return { field: 'step2.persona', message };
  return { field: 'step2.system_prompt', message: message.replace(/line:\d+/, `line:${line - prefixLines}`) };
}

function wizardFieldOf(path: ConfigIssue['path'], step3: WizardConfig['step3']): string {
  const [first, second, third, fourth] = path;
  if (first === 'metadata') return 'name';
  if (second === 'prompts') return 'step2.system_prompt';
  if (second === 'model') return third === 'fallback' ? 'step1.fallback_model' : 'step1.model';
  if (second === 'tools') {
    const index = Number(third);
    return index < step3.tools.length ? `step3.tools[${index}]` : `step3.mcp_servers[${index - step3.tools.length}]`;
  }
  if (second === 'memory') return 'step4';
  if (second === 'guardrails') return `step5.${third}_guardrails[${fourth}]`;
  return path.join('.');
}
