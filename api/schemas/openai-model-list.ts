import { z } from 'zod';

/** GET /orgs/{slug}/v1/models: the org's deployed agents as OpenAI lists models. */
export const OpenAiModelList = z.object({
  object: z.literal('list'),
  data: z.array(
    z.object({
      id: z.string().describe('The agent name: the `model` of a chat completion.'),
      object: z.literal('model'),
      created: z.int().describe('When the agent was last deployed, in Unix seconds.'),
      owned_by: z.string().describe('The org slug.'),
    }),
  ),
});
export type OpenAiModelList = z.infer<typeof OpenAiModelList>;
