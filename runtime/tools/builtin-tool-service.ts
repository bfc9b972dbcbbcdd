import type { Logger } from 'pino';
import type { CredentialsLookup } from '../config/credentials-lookup.ts';
import { type BuiltinToolView, builtinToolNames, listBuiltinTools } from './builtin-tools.ts';
import { createAgentToolset } from './create-agent-toolset.ts';
import type { ToolResult } from './tool-types.ts';

// Agent ids start with a letter or digit (AgentId in agent-schema.ts), so this one can never
// share a cache or a rate limit with a real agent.
export const directAgentId = '_direct';

/**
 * The built-in tools outside any agent: `list()` for `GET /v1/tools/builtin` and `execute()` for
 * `POST /v1/tools/execute` ({ tool, input }). Every tool runs with its default config: the SSRF
 * guard is on, the file tools have no allowed_paths, sql_query has no database. Make one per
 * runtime; its cache_store entries live as long as it does.
 */
export function createBuiltinToolService(deps: { credentials: CredentialsLookup; log: Logger; clock?: () => Date }) {
  const toolset = createAgentToolset({
    agent: directAgentId,
    specs: builtinToolNames.map((name) => ({ name })),
    ...deps,
  });
  const views = listBuiltinTools();
  return {
    list(): BuiltinToolView[] {
      return views;
    },
    /** Never throws; an unknown tool is an invalid_input result. */
    execute(tool: string, input: unknown, signal: AbortSignal): Promise<ToolResult> {
      return toolset.execute({ name: tool, input }, { signal });
    },
  };
}
export type BuiltinToolService = ReturnType<typeof createBuiltinToolService>;
