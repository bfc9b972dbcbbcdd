import { describe, expect, it } from 'vitest';
import { AgentDocument } from '../../config/agent-schema.ts';
import { glyphProgramCheck } from './glyph-program-check.ts';

const anAgent = (spec: Record<string, unknown>) =>
  AgentDocument.parse({
    apiVersion: 'astromesh/v1',
    kind: 'Agent',
    metadata: { name: 'stamp' },
    spec: {
      model: { primary: { provider: 'openai', model: 'gpt-4o-mini' } },
      tools: [
        { name: 'datetime_now', type: 'builtin' },
        { name: 'show_card', type: 'client', parameters: { title: { type: 'string' } } },
      ],
      ...spec,
    },
  });

describe('glyphProgramCheck', () => {
  it('accepts a program over the agent’s builtin and client tools, and ask', () => {
    const agent = anAgent({
      orchestration: { pattern: 'glyph' },
      program:
        'now = datetime_now(timezone="UTC")\ncard = show_card(title=now.datetime)\nnote = ask(prompt="hi")\nreturn {card, note}',
    });
    expect(glyphProgramCheck(agent)).toEqual([]);
  });

  it('refuses a program that does not compile, naming spec.program, the line, the column and the problem', () => {
    const agent = anAgent({
      orchestration: { pattern: 'glyph' },
      program: 'now = datetime_now()\ncard = calculator(expression="1")\nreturn card',
    });
    expect(glyphProgramCheck(agent)).toEqual([
      {
        path: ['spec', 'program'],
        message:
          "the program is not valid Glyph: line 2, column 8: there is no tool 'calculator'; the tools are: ask, datetime_now, show_card",
      },
    ]);
  });

  it('refuses a program on an agent whose pattern is not glyph, as upstream does', () => {
    expect(glyphProgramCheck(anAgent({ program: 'return 1' }))).toEqual([
      { path: ['spec', 'program'], message: 'a program runs only with orchestration.pattern glyph, not react' },
    ]);
  });
});
