import { z } from 'zod';
import { maxOkfFindLimit } from '../../knowledge/okf-bundle.ts';
import type { Tool } from '../tool-types.ts';
import { withAgentBundle } from './kb-tools-bundle.ts';

// Models send null for optional arguments; null means the default, as upstream takes it.
const KbFindInput = z.object({
  text: z.string().max(1_000).nullish().describe('Text to look for in title, description, tags and body.'),
  type: z.string().max(200).nullish().describe("Exact concept type, case-insensitive (e.g. 'Policy')."),
  tags: z.array(z.string().max(200)).max(32).nullish().describe('Tags the concept must all have.'),
  include_deprecated: z.boolean().nullish().describe('Also return deprecated concepts.'),
  limit: z.int().min(1).max(maxOkfFindLimit).nullish().describe('Maximum number of results (1-100, default 20).'),
});
type KbFindInput = z.infer<typeof KbFindInput>;

/** Upstream's kb_find: concepts by type, tags (all must match) and text; deprecated ones only on request. */
export const kbFind: Tool<KbFindInput> = {
  name: 'kb_find',
  description:
    'Search concepts of the knowledge bundle by type, tags (all must match) and text. Deprecated concepts are ' +
    'excluded unless include_deprecated is true.',
  inputSchema: KbFindInput,
  run: (input, context) =>
    withAgentBundle(context, (bundle) =>
      bundle.find({
        text: input.text ?? undefined,
        type: input.type ?? undefined,
        tags: input.tags ?? undefined,
        includeDeprecated: input.include_deprecated ?? false,
        limit: input.limit ?? 20,
      }),
    ),
};
