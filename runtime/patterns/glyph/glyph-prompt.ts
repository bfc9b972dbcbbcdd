import type { ToolDefinition } from '../../router/model-types.ts';
import type { GlyphCallRecord, GlyphExecutionError } from './glyph-errors.ts';

// What the model is told about the language. It is sent on every run that writes a program, so
// it stays short; it is the same text every time, so a provider can cache it as a prefix.
const grammar = `Write ONE Glyph program that answers the request, in a \`\`\`glyph block. The runtime runs the
whole program without asking you again, so write every step now.

The whole language:
  name = tool(arg="text", n=3, flag=true, other=name.field)   # a call; arguments by name only
  rows = items | where(kind == "oem", stock > 0)   # keep elements meeting every condition
  best = items | top(3, by=price)                  # highest first; asc=true for lowest first
  picked = items | map({sku, price})               # one value per element (its fields in scope)
  extra = items | map({info: tool(id=id)})         # a tool call per element, all in parallel
  if cond:                                         # an indented block; else: is optional
      x = tool(a=1)
  else:
      x = tool(a=2)
  return {name, best, total: rows.count}           # last line; {a} means {"a": a}
Values: "strings", numbers, true, false, null, [lists], {records}. A list has .empty, .count,
.first and .last; a record's fields are read with a dot. Conditions use == != < <= > >= and,
or, not. \`query\` is the user's message and \`context\` the caller's context.
Rules: bind each name once (the same name in both branches of an if is fine); call tools with
parentheses, never pipe a tool; no loops, functions, imports or arithmetic; lines that do not
need each other run in parallel, so do not chain them without need; read only fields a tool
returns.`;

/** The grammar, then every tool the program may call with its arguments (required ones marked). */
export function glyphInstructions(tools: readonly ToolDefinition[], builtinTools: ReadonlySet<string>): string {
  const lines = [grammar, '', 'Tools:'];
  for (const tool of [...tools].sort((a, b) => a.name.localeCompare(b.name))) {
    // A builtin's value is upstream's result envelope; saying so keeps the model from reading fields that are not there.
    const returns = builtinTools.has(tool.name) ? ' Returns {success, data: <its result>, error}.' : '';
    lines.push(`- ${tool.name}: ${tool.description}${returns}`);
    const schema = tool.inputSchema as { properties?: Record<string, { type?: unknown }>; required?: string[] };
    const required = new Set(schema.required ?? []);
    for (const [name, property] of Object.entries(schema.properties ?? {})) {
      const type = Array.isArray(property.type) ? property.type.join('|') : (property.type ?? 'any');
      lines.push(`    ${name}: ${type}${required.has(name) ? ' (required)' : ''}`);
    }
  }
  return lines.join('\n');
}

/** The program in a reply: the first fenced block if there is one, else the whole reply (a missing fence is no reason to fail). */
export function extractGlyphProgram(reply: string): string {
  const fenced = /```[a-zA-Z]*[ \t]*\r?\n([\s\S]*?)```/.exec(reply);
  return (fenced ? (fenced[1] as string) : reply).trim();
}

/** The repair request after an invalid program: the error, with its line and column. */
export function invalidProgramRepair(error: Error): string {
  return `That program is not valid Glyph: ${error.message}\nFix it and send the whole program again in a \`\`\`glyph block.`;
}

/** The repair request after a program failed while running: what already ran (and so already had its effects), then the error. */
export function failedRunRepair(error: GlyphExecutionError): string {
  const ran = error.calls.map((call: GlyphCallRecord) => {
    if (call.output === undefined) return `- ${call.tool}(${JSON.stringify(call.input)}) was still running`;
    const outcome = JSON.stringify(call.output);
    return `- ${call.tool}(${JSON.stringify(call.input)}) ${call.success ? 'returned' : 'failed'}: ${outcome}`;
  });
  return [
    `The program failed while running: ${error.message}`,
    ran.length > 0
      ? `These calls already ran and their effects happened; do not repeat them unless needed:\n${ran.join('\n')}`
      : 'No tool call had finished.',
    'Send a corrected whole program in a ```glyph block.',
  ].join('\n');
}
