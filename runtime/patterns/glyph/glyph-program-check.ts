import type { AgentCheck } from '../../config/load-agent-file.ts';
import type { ToolDefinition } from '../../router/model-types.ts';
import { agentAndClientToolDefinitions } from '../../tools/agent-and-client-tool-definitions.ts';
import { findBuiltinTool, toToolDefinition } from '../../tools/builtin-tools.ts';
import { bundleTools } from '../../tools/bundle-tools.ts';
import { compileGlyph } from './compile-glyph.ts';
import { withAskTool } from './glyph-ask-tool.ts';
import { GlyphProgramError } from './glyph-errors.ts';
import { parseGlyph } from './parse-glyph.ts';

/**
 * An agent file's fixed `program` is compiled when the file loads, against the agent's own
 * tools, so a broken program is a load error naming its line and column (as upstream refuses to
 * deploy it) rather than a failure on the first run; and only the glyph pattern runs one.
 */
export const glyphProgramCheck: AgentCheck = (agent) => {
  const program = agent.spec.program;
  if (program === undefined) return [];
  const path = ['spec', 'program'];
  const pattern = agent.spec.orchestration?.pattern ?? 'react';
  if (pattern !== 'glyph') {
    return [{ path, message: `a program runs only with orchestration.pattern glyph, not ${pattern}` }];
  }
  const specs = agent.spec.tools ?? [];
  const others = agentAndClientToolDefinitions(specs);
  const definitions = specs.flatMap((spec): ToolDefinition[] => {
    const builtin = spec.type === 'builtin' ? findBuiltinTool(spec.name) : undefined;
    const definition = others.get(spec.name) ?? (builtin && toToolDefinition(builtin, spec.description));
    return definition ? [definition] : [];
  });
  // knowledge.bundle gives the agent kb_index, kb_read and kb_find: a program may call them too.
  if (agent.spec.knowledge?.bundle !== undefined)
    definitions.push(...bundleTools.map((tool) => toToolDefinition(tool)));
  try {
    compileGlyph(parseGlyph(program), withAskTool(definitions));
    return [];
  } catch (err) {
    if (err instanceof GlyphProgramError) return [{ path, message: `the program is not valid Glyph: ${err.message}` }];
    throw err;
  }
};
