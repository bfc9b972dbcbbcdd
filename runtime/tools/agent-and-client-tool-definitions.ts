import type { ToolSpec } from '../config/agent-schema.ts';
import type { ToolDefinition } from '../router/model-types.ts';

// What the model fills in when it calls another agent, unless the tool declares its own parameters.
const agentToolParameters = {
  type: 'object',
  properties: { query: { type: 'string', description: 'The query or task to send to the agent' } },
  required: ['query'],
};

/**
 * A tool's `parameters` as JSON Schema. Upstream's agent files mostly write the shorthand (a map
 * of argument name to its schema), which providers refuse as a tool schema; a map that says
 * `type: object` is JSON Schema already and is kept as written.
 */
export function toolParametersSchema(
  parameters: Record<string, unknown> | undefined,
  fallback: Record<string, unknown>,
) {
  if (parameters === undefined) return fallback;
  if (parameters.type === 'object') return { properties: {}, ...parameters };
  return { type: 'object', properties: parameters };
}

/** How the model sees an agent's tools of type agent and client. */
export function agentAndClientToolDefinitions(specs: readonly ToolSpec[]): Map<string, ToolDefinition> {
  const definitions = new Map<string, ToolDefinition>();
  for (const spec of specs) {
    if (spec.type === 'agent') {
      definitions.set(spec.name, {
        name: spec.name,
        description: spec.description ?? `Invoke agent '${spec.agent}'`,
        inputSchema: toolParametersSchema(spec.parameters, agentToolParameters),
      });
    } else if (spec.type === 'client') {
      definitions.set(spec.name, {
        name: spec.name,
        description: spec.description ?? '',
        inputSchema: toolParametersSchema(spec.parameters, { type: 'object', properties: {} }),
      });
    }
  }
  return definitions;
}
