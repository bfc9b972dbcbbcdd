import { load } from 'js-yaml';
import { describe, expect, it } from 'vitest';
import { AgentDocument } from './agent-schema.ts';

// An agent file in the upstream Astromesh format (../shared/research/astromesh.md, section 2).
const upstreamAgentYaml = `
apiVersion: astromesh/v1
kind: Agent
metadata: {name: support, version: "1.0.0", namespace: cx, labels: {tier: prod}}
spec:
  identity: {display_name: Support, description: "Answers customers", avatar: bot}
  model:
    primary: {provider: ollama, model: "llama3.1:8b", endpoint: "http://localhost:11434", timeout: 120,
              temperature: 0.2, max_tokens: 2048, parameters: {top_p: 0.9, stop: ["\\n\\n"]}}
    fallback: {provider: openai_compat, model: gpt-4o-mini, endpoint: "https://api.openai.com/v1", api_key_env: OPENAI_API_KEY}
    routing: {strategy: cost_optimized}
  prompts: {system: "You help {{ user }}. {{ memory }}", templates: {greet: "Hi {{ user }}"}}
  orchestration: {pattern: react, max_iterations: 10, timeout_seconds: 60}
  tools:
    - {name: web_search, type: builtin, config: {provider: tavily}, rate_limit: {window_seconds: 60, max_calls: 10}}
  memory: {conversational: {backend: postgres, strategy: summary, max_turns: 50, ttl: 3600}}
  guardrails:
    input: [{type: pii_detection, action: redact}, {type: max_length, max_chars: 5000}]
    output: [{type: cost_limit, max_tokens_per_turn: 500}, {type: content_filter, blocked_patterns: ["secret"]}]
`;

describe('AgentDocument', () => {
  it('loads an agent file in the upstream format', () => {
    const agent = AgentDocument.parse(load(upstreamAgentYaml));

    expect(agent.spec.model.primary).toMatchObject({ provider: 'ollama', model: 'llama3.1:8b', timeout: 120 });
    expect(agent.spec.tools?.[0]).toMatchObject({ name: 'web_search', rate_limit: { max_calls: 10 } });
  });

  it('names the field of an unknown orchestration pattern instead of falling back to react', () => {
    const yaml = upstreamAgentYaml.replace('pattern: react', 'pattern: round_table');

    const issue = AgentDocument.safeParse(load(yaml)).error?.issues[0];

    expect(issue?.path).toEqual(['spec', 'orchestration', 'pattern']);
  });

  it('refuses more labels than the CRD allows', () => {
    const agent = load(upstreamAgentYaml) as { metadata: { labels: Record<string, string> } };
    agent.metadata.labels = Object.fromEntries(Array.from({ length: 65 }, (_, i) => [`label-${i}`, 'x']));

    const issue = AgentDocument.safeParse(agent).error?.issues[0];

    expect(issue).toMatchObject({ path: ['metadata', 'labels'], message: 'at most 64 entries' });
  });
});
