import { z } from 'zod';

// Imports zod only, so Studio (studio/src/api) can take its types without pulling in the API.

export const WizardIssue = z.object({
  field: z.string().describe('The WizardConfig field at fault, e.g. step2.system_prompt or step3.tools[1].'),
  message: z.string(),
});
export type WizardIssue = z.infer<typeof WizardIssue>;

/** POST /orgs/{slug}/agents/compile: the astromesh/v1 agent a WizardConfig compiles to, and what the runtime would refuse in it. */
export const CompiledAgentPreview = z.object({
  yaml: z.string().describe('The compiled astromesh/v1 Agent, as the runtime loads it. Holds no secret.'),
  issues: z
    .array(WizardIssue)
    .describe('What the runtime would refuse, by wizard field; create, update and deploy answer 422 for the first.'),
});
export type CompiledAgentPreview = z.infer<typeof CompiledAgentPreview>;
