import type { ConfigIssue } from './load-agent-file.ts';

// Tool types upstream's agent files use that astromeshd does not run, and what each would need.
// Upstream (runtime/engine.py) warns about a tool it cannot build and runs the agent without it;
// so do we. Skipping only takes a capability away (the model is never offered the tool, so none
// of its actions, integration `confirm` gates included, can run), so a warning in the agent's
// `warnings` and the log is enough: nothing runs that the author did not ask for.
const unsupportedToolTypes: Record<string, string> = {
  integration: "upstream's integration catalog and connections",
  api: 'OpenAPI operations over a connection',
  a2a: 'remote agents over the A2A protocol',
  // Upstream's examples before 0.35 declared `type: internal`, which its runtime never registered
  // (it fell through silently, then with a warning): the model was never offered such a tool.
  internal: "upstream's pre-0.35 type, which upstream never registered either",
};

/**
 * The document without its tools of an unsupported type, a warning for each, and a function that
 * maps a path in the returned document (`spec.tools[1]…`) back to the file's own index. `raw` is
 * not yet validated, so anything unexpected is left for the schema to report.
 */
export function skipUnsupportedTools(raw: unknown): {
  document: unknown;
  warnings: ConfigIssue[];
  toFilePath: (path: ConfigIssue['path']) => ConfigIssue['path'];
} {
  const spec = (raw as { spec?: unknown } | null)?.spec as { tools?: unknown } | undefined;
  const tools = spec?.tools;
  const identity = (path: ConfigIssue['path']) => path;
  if (!Array.isArray(tools)) return { document: raw, warnings: [], toFilePath: identity };
  const kept: number[] = [];
  const warnings: ConfigIssue[] = [];
  tools.forEach((tool: unknown, index) => {
    const type = (tool as { type?: unknown } | null)?.type;
    if (typeof type === 'string' && Object.hasOwn(unsupportedToolTypes, type)) {
      warnings.push({
        path: ['spec', 'tools', index, 'type'],
        message: `tool type '${type}' (${unsupportedToolTypes[type]}) is not supported by this runtime: the tool is skipped, as upstream skips a tool it cannot build (supported: builtin, agent, client, mcp)`,
      });
    } else {
      kept.push(index);
    }
  });
  if (warnings.length === 0) return { document: raw, warnings: [], toFilePath: identity };
  const document = {
    ...(raw as Record<string, unknown>),
    spec: { ...spec, tools: kept.map((index) => tools[index]) },
  };
  const toFilePath = (path: ConfigIssue['path']): ConfigIssue['path'] =>
    path[0] === 'spec' && path[1] === 'tools' && typeof path[2] === 'number' && kept[path[2]] !== undefined
      ? ['spec', 'tools', kept[path[2]] as number, ...path.slice(3)]
      : path;
  return { document, warnings, toFilePath };
}
