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

    expect(error.message).toMatch(
      /^helper\.yaml: spec\.model\.primary\.provider: source "openia" is not supported; supported: /,
    );
  });

  it('refuses text that is not YAML, naming the file', () => {
    const error = refusal('apiVersion: astromesh/v1\nkind: [Agent');

    expect(error.message).toMatch(/^helper\.yaml: \(document\): not valid YAML/);
  });

  it('refuses an unknown orchestration pattern instead of falling back to react', () => {
    const error = refusal(`${minimalAgent}  orchestration: {pattern: single_pass}\n`);

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

describe('parseAgentYaml on a hostile file', () => {
  const withToolConfig = (config: string) =>
    `${minimalAgent}  tools:\n    - name: http_request\n      config: ${config}\n`;

  it('refuses a YAML alias bomb by its size, not by expanding it', () => {
    // Ten levels of nine aliases each: 9^10 (3.4 billion) values from under 1 KB of text.
    const levels = Array.from({ length: 10 }, (_, level) => {
      const uses = Array.from({ length: 9 }, () => `*l${level}`).join(', ');
      return `l${level + 1}: &l${level + 1} [${uses}]`;
    });
    const bomb = `${minimalAgent}  tools:\n    - name: http_request\n      config:\n        l0: &l0 "lol"\n${levels
      .map((line) => `        ${line}`)
      .join('\n')}\n`;

    const error = refusal(bomb);

    expect(error.message).toMatch(
      /^helper\.yaml: spec\.tools\[0\]\.config\.l\d+(\[\d+\])*: more than 100000 values in the document \(YAML aliases count once per use\)$/,
    );
  });

  it('refuses more aliases than a file may use', () => {
    const uses = Array.from({ length: 101 }, () => '*m').join(', ');

    const error = refusal(withToolConfig(`{m: &m 1, n: [${uses}]}`));

    expect(error.message).toMatch(/^helper\.yaml: \(document\): not valid YAML: aliases exceeded maxAliases \(100\)/);
  });

  it('refuses an alias cycle, naming where it goes too deep', () => {
    const error = refusal(withToolConfig('&loop {again: *loop}'));

    expect(error.message).toMatch(/^helper\.yaml: spec\.tools\[0\]\.config(\.again)+: nested deeper than 32 levels$/);
  });

  it('refuses nesting deeper than 32 levels, naming the field', () => {
    const nested = `${'{a: '.repeat(40)}1${'}'.repeat(40)}`;

    const error = refusal(withToolConfig(nested));

    expect(error.message).toMatch(/^helper\.yaml: spec\.tools\[0\]\.config(\.a)+: nested deeper than 32 levels$/);
  });

  it('refuses nesting deeper than the parser goes with the line it stopped at', () => {
    const nested = `${'['.repeat(5_000)}${']'.repeat(5_000)}`;

    const error = refusal(withToolConfig(nested));

    expect(error.message).toMatch(/^helper\.yaml: \(document\): not valid YAML: nesting exceeded maxDepth \(64\)/);
  });

  it('refuses a NUL in a string or a key, naming the field with the NUL escaped', () => {
    const inPrompt = refusal(minimalAgent.replace('You help', 'You\\0 help'));
    const inKey = refusal(withToolConfig('{"a\\0b": 1}'));

    expect(inPrompt.message).toBe('helper.yaml: spec.prompts.system: must not contain NUL (U+0000)');
    expect(inKey.message).toBe('helper.yaml: spec.tools[0].config.a\\u0000b: its key must not contain NUL (U+0000)');
  });

  it('refuses a __proto__ key, which would otherwise become the prototype of the parsed config', () => {
    const error = refusal(withToolConfig('{__proto__: {allow_localhost: true}}'));

    expect(error.message).toBe('helper.yaml: spec.tools[0].config.__proto__: this key is not allowed');
  });

  it('refuses a file larger than 1 MiB before parsing it', () => {
    const huge = `${minimalAgent}# ${'x'.repeat(1024 * 1024)}\n`;

    const error = refusal(huge);

    expect(error.message).toBe(
      `helper.yaml: (document): the file is ${Buffer.byteLength(huge)} bytes, more than the 1048576 an agent file may have`,
    );
  });

  it('refuses a document that is not a mapping, naming it', () => {
    expect(refusal('- just\n- a list\n').message).toMatch(
      /^helper\.yaml: \(document\): Invalid input: expected object/,
    );
    expect(refusal('"a string"').message).toMatch(/^helper\.yaml: \(document\): Invalid input: expected object/);
    expect(refusal('---\na: 1\n---\nb: 2\n').message).toMatch(/^helper\.yaml: \(document\): not valid YAML/);
  });

  it('refuses a prompt that nests template blocks past what the template parser takes, naming the field', () => {
    const nestedBlocks = `${'{%if a%}'.repeat(5_000)}x${'{%endif%}'.repeat(5_000)}`;

    const error = refusal(minimalAgent.replace('You help {{ user_name }}.', nestedBlocks));

    expect(error.message).toBe(
      'helper.yaml: spec.prompts.system: template does not parse: its tags are nested too deeply',
    );
  });
});

describe('formatPath', () => {
  it('writes list indexes in brackets', () => {
    expect(formatPath(['spec', 'guardrails', 'output', 1, 'blocked_patterns', 0])).toBe(
      'spec.guardrails.output[1].blocked_patterns[0]',
    );
  });

  it('shortens long keys and escapes control characters: a key is input like any other', () => {
    expect(formatPath(['spec', 'tools', 0, 'config', `${'k'.repeat(100)}`, 'a\nb'])).toBe(
      `spec.tools[0].config.${'k'.repeat(64)}….a\\u000ab`,
    );
  });
});
