import { describe, expect, it } from 'vitest';
import { checkAgentDocument } from '../../runtime/config/load-agent-file.ts';
import { createAgentChecks } from '../../runtime/engine/create-agent-checks.ts';
import { WizardConfig, type WizardConfigInput } from '../schemas/wizard-config.ts';
import { compileWizardConfig, wizardConfigIssues } from './compile-wizard-config.ts';

// The example of the Cloud API reference (seed 003, POST /orgs/{slug}/agents).
const referenceExample: WizardConfigInput = {
  name: 'support-bot',
  display_name: 'Support Bot',
  step1: { model: 'openai/gpt-4o-mini', fallback_model: 'ollama/llama3' },
  step2: {
    system_prompt: 'You are a helpful support agent for Acme Corp. Be concise and friendly.',
    persona: 'Support Agent',
  },
  step3: { tools: ['web_search', 'calculator'] },
  step4: { memory_type: 'conversational', memory_strategy: 'sliding_window', window_size: 20 },
  step5: { input_guardrails: ['pii_filter'], output_guardrails: ['content_safety'], max_tokens: 1000 },
};

const aConfig = (overrides: Partial<WizardConfigInput> = {}) =>
  WizardConfig.parse({ ...referenceExample, ...overrides });

describe('compileWizardConfig', () => {
  it('compiles the reference example into the Agent the runtime loads', () => {
    const agent = compileWizardConfig({ orgSlug: 'my-org', config: aConfig() });

    expect(agent).toEqual({
      apiVersion: 'astromesh/v1',
      kind: 'Agent',
      metadata: {
        name: 'my-org__support-bot',
        labels: { 'astromesh.io/org': 'my-org', 'astromesh.io/agent': 'support-bot' },
      },
      spec: {
        identity: { display_name: 'Support Bot', description: 'Support Agent' },
        model: {
          primary: { provider: 'openai', model: 'gpt-4o-mini', max_tokens: 1000 },
          fallback: { provider: 'ollama', model: 'llama3', max_tokens: 1000 },
          routing: { strategy: 'capability_match' },
        },
        prompts: {
          system: 'You are Support Agent.\n\nYou are a helpful support agent for Acme Corp. Be concise and friendly.',
        },
        orchestration: { pattern: 'react', max_iterations: 10 },
        tools: [
          { name: 'web_search', type: 'builtin' },
          { name: 'calculator', type: 'builtin' },
        ],
        memory: { conversational: { strategy: 'sliding_window', window_size: 20 } },
        guardrails: { input: [{ type: 'pii_filter', action: 'redact' }], output: [{ type: 'content_safety' }] },
      },
    });
    expect(checkAgentDocument(agent, createAgentChecks({ hasPostgresMemory: true })).issues).toEqual([]);
  });

  it('compiles the smallest config (step1 only) with the documented defaults', () => {
    const config = WizardConfig.parse({ name: 'tiny', step1: { model: 'anthropic/claude-3-5-haiku-latest' } });

    const agent = compileWizardConfig({ orgSlug: 'acme', config });

    expect(agent.spec).toMatchObject({
      identity: { display_name: 'tiny' },
      model: { primary: { provider: 'anthropic', model: 'claude-3-5-haiku-latest', max_tokens: 1000 } },
      tools: [],
      memory: { conversational: { strategy: 'sliding_window', window_size: 20 } },
      guardrails: { input: [], output: [] },
    });
    expect(agent.spec.prompts).toBeUndefined();
  });

  it('keeps the slashes of a model name after the provider', () => {
    const agent = compileWizardConfig({
      orgSlug: 'acme',
      config: aConfig({ step1: { model: 'ollama/library/llama3:8b' } }),
    });

    expect(agent.spec.model.primary).toMatchObject({ provider: 'ollama', model: 'library/llama3:8b' });
  });

  it('turns cost_limit into a per-turn token cap of step5.max_tokens', () => {
    const config = aConfig({ step5: { output_guardrails: ['cost_limit'], max_tokens: 250 } });

    const agent = compileWizardConfig({ orgSlug: 'acme', config });

    expect(agent.spec.guardrails?.output).toEqual([{ type: 'cost_limit', max_tokens_per_turn: 250 }]);
  });

  it('uses the window size as the summary threshold for the summary strategy', () => {
    const config = aConfig({ step4: { memory_type: 'conversational', memory_strategy: 'summary', window_size: 12 } });

    expect(compileWizardConfig({ orgSlug: 'acme', config }).spec.memory).toEqual({
      conversational: { strategy: 'summary', max_turns: 12 },
    });
  });

  it('stamps the agent version being deployed as metadata.version, which the runtime answers with', () => {
    const unversioned = compileWizardConfig({ orgSlug: 'acme', config: aConfig() });
    const versioned = compileWizardConfig({ orgSlug: 'acme', config: aConfig(), version: 3 });

    expect(unversioned.metadata.version).toBeUndefined();
    expect(versioned).toEqual({ ...unversioned, metadata: { ...unversioned.metadata, version: '3' } });
  });

  it('is pure: the same input gives the same document', () => {
    expect(compileWizardConfig({ orgSlug: 'acme', config: aConfig() })).toEqual(
      compileWizardConfig({ orgSlug: 'acme', config: aConfig() }),
    );
  });
});

describe('wizardConfigIssues', () => {
  it('finds nothing wrong with the reference example', () => {
    expect(wizardConfigIssues({ orgSlug: 'my-org', config: aConfig() })).toEqual([]);
  });

  it('names the wizard field of a tool the runtime does not offer', () => {
    // The request schema refuses such a tool now; a config stored before it did still reaches
    // the compiler, straight from the database.
    const config = aConfig({ step3: { tools: ['calculator'] } });
    config.step3.tools = ['calculator', 'teleport'];

    const issues = wizardConfigIssues({ orgSlug: 'acme', config });

    expect(issues).toEqual([
      { field: 'step3.tools[1]', message: expect.stringContaining("unknown built-in tool 'teleport'") },
    ]);
  });

  it('names step2.system_prompt when the prompt is not a valid template', () => {
    const issues = wizardConfigIssues({
      orgSlug: 'acme',
      config: aConfig({ step2: { system_prompt: 'Hello {% if %}' } }),
    });

    expect(issues).toEqual([
      { field: 'step2.system_prompt', message: expect.stringContaining('template does not parse') },
    ]);
  });
});

describe('wizardConfigIssues: template errors where their author wrote them', () => {
  const issuesOf = (step2: { system_prompt: string; persona?: string }) =>
    wizardConfigIssues({ orgSlug: 'acme', config: aConfig({ step2 }) });

  it('counts the prompt’s lines from its own first line, not from the persona line before it', () => {
    const withPersona = issuesOf({ system_prompt: 'Fine.\nHello {% if %}', persona: 'Support Agent' });
    const without = issuesOf({ system_prompt: 'Fine.\nHello {% if %}' });

    expect(without).toEqual([{ field: 'step2.system_prompt', message: expect.stringContaining('line:2') }]);
    expect(withPersona).toEqual(without);
  });

  it('names step2.persona when the persona holds the broken template', () => {
    expect(issuesOf({ system_prompt: 'Fine.', persona: 'agent {{ unclosed' })).toEqual([
      { field: 'step2.persona', message: expect.stringContaining('template does not parse') },
    ]);
  });
});

describe('WizardConfig', () => {
  it('refuses a model without a supported provider, naming the field', () => {
    const result = WizardConfig.safeParse({ name: 'bot', step1: { model: 'skynet/t-800' } });

    expect(result.error?.issues[0]).toMatchObject({
      path: ['step1', 'model'],
      message: expect.stringContaining('openai, anthropic'),
    });
  });

  it('refuses a name that is not a lowercase slug of at most 63 characters', () => {
    expect(WizardConfig.safeParse({ name: 'Support_Bot', step1: { model: 'openai/gpt-4o' } }).success).toBe(false);
    expect(WizardConfig.safeParse({ name: 'a'.repeat(64), step1: { model: 'openai/gpt-4o' } }).success).toBe(false);
  });
});
