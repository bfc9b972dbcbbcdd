import { z } from 'zod';
import type { Tool } from '../tool-types.ts';
import { withAgentBundle } from './kb-tools-bundle.ts';

const KbReadInput = z.object({
  concept_id: z
    .string()
    .min(1)
    .max(1_000)
    .describe("Concept id such as 'policies/refunds' (a leading '/' and '.md' are accepted)."),
});
type KbReadInput = z.infer<typeof KbReadInput>;

/** Upstream's kb_read: one concept with its trust signals, body and links resolved to concept ids. */
export const kbRead: Tool<KbReadInput> = {
  name: 'kb_read',
  description:
    'Read one concept of the knowledge bundle: metadata, trust warnings, body, and its links already resolved ' +
    'to concept ids you can pass back to kb_read.',
  inputSchema: KbReadInput,
  run: (input, context) => withAgentBundle(context, (bundle) => bundle.read(input.concept_id)),
};
