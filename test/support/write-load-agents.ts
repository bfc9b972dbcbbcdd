import { writeFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * Writes `names.length` agent files of the shape every load bench and load test runs: one OpenAI
 * model, a short system prompt and the calculator tool, so a run is one model call and the
 * figures of different benches compare.
 */
export function writeLoadAgents(agentsDir: string, names: readonly string[]): void {
  for (const name of names) writeFileSync(join(agentsDir, `${name}.yaml`), loadAgentYaml(name));
}

/** `prefix-1` … `prefix-count`. */
export const numberedNames = (prefix: string, count: number): string[] =>
  Array.from({ length: count }, (_, index) => `${prefix}-${index + 1}`);

function loadAgentYaml(name: string): string {
  return [
    'apiVersion: astromesh/v1',
    'kind: Agent',
    `metadata: {name: ${name}}`,
    'spec:',
    '  model:',
    '    primary: {provider: openai, model: gpt-4o-mini}',
    '  prompts: {system: "You are a benchmark agent."}',
    '  tools: [{name: calculator, type: builtin}]',
    '',
  ].join('\n');
}
