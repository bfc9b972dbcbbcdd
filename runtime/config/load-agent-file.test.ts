import { describe, expect, it } from 'vitest';
import { AgentFileError, formatPath, parseAgentYaml } from './load-agent-file.ts';

const minimalAgent = `
apiVersion: astromesh/v1
kind: Agent
metadata: {name: helper}
spec:
  model:
    primary: {provider: openai, model: gpt-4o-mini}
  prompts: {system: "You help {{ user_name }}."}
`;

function refusal(text: string): AgentFileError {
  try {
    parseAgentYaml(text, '/agents/helper.yaml');
  } catch (err) {
    if (err instanceof AgentFileError) return err;
    throw err;
  }
  throw new Error('expected the file to be refused');
}

describe('parseAgentYaml', () => {
  it('loads a minimal agent with defaults applied', () => {
    const agent = parseAgentYaml(minimalAgent, '/agents/helper.yaml');

    expect(agent.metadata.name).toBe('helper');
    expect(agent.spec.model.primary?.model).toBe('gpt-4o-mini');
  });

  it('names the file and the field path of a schema error', () => {
    const error = refusal(minimalAgent.replace('provider: openai', 'provider: openia'));

    expect(error.message).toMatch(/^helper\.yaml: spec\.model\.primary\.provider: Invalid option/);
  });

  it('refuses text that is not YAML, naming the file', () => {
    const error = refusal('apiVersion: astromesh/v1\nkind: [Agent');

    expect(error.message).toMatch(/^helper\.yaml: \(document\): not valid YAML/);
  });

  it('refuses an unknown orchestration pattern instead of falling back to react', () => {
    const error = refusal(`${minimalAgent}  orchestration: {pattern: supervisor}\n`);

    expect(error.issues[0]?.path).toEqual(['spec', 'orchestration', 'pattern']);
  });

  it('refuses a system prompt that is not a valid template', () => {
    const error = refusal(minimalAgent.replace('{{ user_name }}', '{% if %}'));

    expect(error.message).toContain('helper.yaml: spec.prompts.system: template does not parse');
  });

  it('reports the issues of extra checks with their paths', () => {
    const noWebSearch = () => [{ path: ['spec', 'tools', 0, 'name'], message: "unknown built-in tool 'web_serch'" }];

    const error = (() => {
      try {
        parseAgentYaml(minimalAgent, '/agents/helper.yaml', [noWebSearch]);
      } catch (err) {
        return err as AgentFileError;
      }
    })();

    expect(error?.message).toBe("helper.yaml: spec.tools[0].name: unknown built-in tool 'web_serch'");
  });
});

describe('formatPath', () => {
  it('writes list indexes in brackets', () => {
    expect(formatPath(['spec', 'guardrails', 'output', 1, 'blocked_patterns', 0])).toBe(
      'spec.guardrails.output[1].blocked_patterns[0]',
    );
  });
});
