import { z } from 'zod';
import type { Tool } from '../tool-types.ts';
import { withAgentBundle } from './kb-tools-bundle.ts';

const KbIndexInput = z.object({
  path: z.string().max(1_000).nullish().describe("Directory inside the bundle; '/' is the root."),
});
type KbIndexInput = z.infer<typeof KbIndexInput>;

/** Upstream's kb_index: the Markdown index of one directory of the agent's knowledge bundle. */
export const kbIndex: Tool<KbIndexInput> = {
  name: 'kb_index',
  description:
    "List a directory of the knowledge bundle. Start here with path '/'. Links starting with '/' are " +
    'bundle-absolute; other links in an index are relative to the listed directory.',
  inputSchema: KbIndexInput,
  run: (input, context) => withAgentBundle(context, (bundle) => bundle.index(input.path ?? '/')),
};
