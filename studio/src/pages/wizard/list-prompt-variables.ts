// Variables the runtime fills in itself (runtime/engine/build-agent-runtime.ts, promptVariables);
// every other one comes from the `context` of the run request.
const runtimeVariables = new Set(['memory', 'knowledge', 'bundle_index']);

export interface PromptVariable {
  name: string;
  /** Who fills it in: the runtime, or the caller in the run request's `context`. */
  source: 'runtime' | 'context';
}

/**
 * The variables a prompt template outputs with `{{ … }}`, in first-use order, each once: the root
 * name of the expression (`user` for `{{ user.name | upcase }}`). Literals (`{{ 'hi' }}`, `{{ 3 }}`)
 * name no variable. Liquid's own syntax decides what parses; this only lists names for the author.
 */
export function listPromptVariables(template: string): PromptVariable[] {
  const names: string[] = [];
  for (const match of template.matchAll(/\{\{-?\s*([A-Za-z_][\w-]*)/g)) {
    const name = match[1] as string;
    if (!names.includes(name) && !isLiquidLiteral(name)) names.push(name);
  }
  return names.map((name) => ({ name, source: runtimeVariables.has(name) ? 'runtime' : 'context' }));
}

const isLiquidLiteral = (name: string) => name === 'true' || name === 'false' || name === 'nil' || name === 'null';
