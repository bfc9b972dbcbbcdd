import type { OkfBundle } from '../../knowledge/okf-bundle.ts';
import { OkfBundleError } from '../../knowledge/okf-concept.ts';
import { type ToolContext, ToolError } from '../tool-types.ts';

/**
 * Runs `use` on the agent's knowledge bundle. A bundle error reaches the model as a tool failure
 * it can act on (upstream's tools never raise either): a path outside the bundle is refused, a
 * missing or wrong concept is the model's input to fix.
 */
export async function withAgentBundle<T>(context: ToolContext, use: (bundle: OkfBundle) => Promise<T>): Promise<T> {
  const bundle = context.bundle;
  if (!bundle) {
    throw new ToolError('not_configured', "this agent has no knowledge bundle: set the agent's knowledge.bundle");
  }
  try {
    return await use(bundle);
  } catch (err) {
    if (err instanceof OkfBundleError)
      throw new ToolError(err.kind === 'outside' ? 'refused' : 'invalid_input', err.message);
    throw new ToolError('failed', `bundle read failed: ${err instanceof Error ? err.message : String(err)}`);
  }
}
