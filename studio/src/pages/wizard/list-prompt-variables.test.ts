import { describe, expect, it } from 'vitest';
import { listPromptVariables } from './list-prompt-variables.ts';

describe('listPromptVariables', () => {
  it('lists each {{ variable }} once, in first-use order', () => {
    expect(listPromptVariables('Hi {{ customer }}, about {{order_id}}: {{ customer }}.')).toEqual([
      { name: 'customer', source: 'context' },
      { name: 'order_id', source: 'context' },
    ]);
  });

  it('names the root of a property path and ignores filters', () => {
    expect(listPromptVariables('{{ user.name | upcase }} {{- plan[0] -}}')).toEqual([
      { name: 'user', source: 'context' },
      { name: 'plan', source: 'context' },
    ]);
  });

  it('marks the variables the runtime fills in', () => {
    expect(listPromptVariables('Remember: {{ memory }}\nKnow: {{ knowledge }}')).toEqual([
      { name: 'memory', source: 'runtime' },
      { name: 'knowledge', source: 'runtime' },
    ]);
  });

  it('lists nothing for literals, tags or a prompt without variables', () => {
    expect(listPromptVariables("{{ 'hello' }} {{ 42 }} {{ true }} {% if x %}y{% endif %} plain")).toEqual([]);
  });
});
