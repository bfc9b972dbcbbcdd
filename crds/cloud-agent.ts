import { z } from 'zod';
import { AgentDocument } from '../runtime/config/agent-schema.ts';

// The CloudAgent custom resource: the deployment projection of one agent of one org
// (DESIGN.md, decision 2). The Cloud API writes it, the operator reconciles it, and the CRD
// under crds/ is generated from these schemas (`npm run crds`), so the three never disagree.

export const cloudAgentGroup = 'astromesh.io';
export const cloudAgentVersion = 'v1alpha1';
export const cloudAgentKind = 'CloudAgent';
export const cloudAgentPlural = 'cloudagents';

/**
 * Keeps a CloudAgent until the operator has taken it out of its org's runtime. The Cloud API
 * creates CloudAgents with it already on, so the operator has nothing to write for it on its
 * first reconcile; the operator adds it to CloudAgents written without it (by hand) and is the
 * one that removes it.
 */
export const runtimeFinalizer = 'astromesh.io/runtime';

export const OrgSlug = z
  .string()
  .min(1)
  .max(40)
  .regex(
    /^[a-z0-9]([a-z0-9-]*[a-z0-9])?$/,
    'must be lowercase letters, digits and "-", not starting or ending with "-"',
  )
  .describe('URL-safe slug of the owning org.');

export const AgentName = z
  .string()
  .min(1)
  .max(63)
  .regex(/^[a-z0-9][a-z0-9-]*$/, 'must be lowercase letters, digits and "-", starting with a letter or digit')
  .describe('Agent name, unique within its org.');

const immutable = (field: string) => ({
  'x-kubernetes-validations': [{ rule: 'self == oldSelf', message: `${field} is immutable` }],
});

export const CloudAgentSpec = z
  .object({
    orgSlug: OrgSlug.meta(immutable('orgSlug')),
    agentName: AgentName.meta(immutable('agentName')),
    displayName: z.string().max(128).optional(),
    paused: z.boolean().default(false).describe('A paused agent keeps its config but serves no requests.'),
    version: z
      .int()
      .min(1)
      .optional()
      .describe(
        "The Cloud API's agent version this config is (GET …/agents/{name}/versions/{n}), also agent.metadata.version; absent for a paused agent edited since its last deploy.",
      ),
    agent: AgentDocument.describe('The compiled astromesh/v1 Agent the runtime loads.'),
  })
  .superRefine((spec, ctx) => {
    const expected = agentIdOf(spec.orgSlug, spec.agentName);
    if (spec.agent.metadata.name !== expected) {
      ctx.addIssue({ code: 'custom', path: ['agent', 'metadata', 'name'], message: `must be ${expected}` });
    }
  })
  .meta({
    'x-kubernetes-validations': [
      {
        rule: "self.agent.metadata.name == self.orgSlug + '__' + self.agentName",
        message: 'agent.metadata.name must be {orgSlug}__{agentName}',
      },
    ],
  });
export type CloudAgentSpec = z.infer<typeof CloudAgentSpec>;

export const CloudAgentPhase = z
  .enum(['Pending', 'Deploying', 'Ready', 'Paused', 'Failed'])
  .describe('Where the agent is in its rollout; conditions say why.');
export type CloudAgentPhase = z.infer<typeof CloudAgentPhase>;

// The shape of metav1.Condition, with the API server's own bounds, so kubectl, kstatus and
// `kubectl wait --for=condition=Ready` understand our status.
export const Condition = z.object({
  type: z
    .string()
    .max(316)
    .regex(
      /^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*\/)?(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])$/,
    ),
  status: z.enum(['True', 'False', 'Unknown']),
  observedGeneration: z.int().min(0).optional(),
  lastTransitionTime: z.iso.datetime(),
  reason: z
    .string()
    .min(1)
    .max(1024)
    .regex(/^[A-Za-z]([A-Za-z0-9_,:]*[A-Za-z0-9_])?$/),
  message: z.string().max(32_768),
});
export type Condition = z.infer<typeof Condition>;

export const CloudAgentStatus = z.object({
  phase: CloudAgentPhase.optional(),
  agentId: z.string().max(128).optional().describe('Runtime agent id, {orgSlug}__{agentName}.'),
  observedGeneration: z.int().min(0).optional(),
  conditions: z
    .array(Condition)
    .max(16)
    .optional()
    .meta({ 'x-kubernetes-list-type': 'map', 'x-kubernetes-list-map-keys': ['type'] }),
  deployedAt: z.iso.datetime().optional(),
  pausedAt: z.iso.datetime().optional(),
});
export type CloudAgentStatus = z.infer<typeof CloudAgentStatus>;

export function agentIdOf(orgSlug: string, agentName: string): string {
  return `${orgSlug}__${agentName}`;
}
