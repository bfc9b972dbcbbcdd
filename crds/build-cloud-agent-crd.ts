import { z } from 'zod';
import {
  CloudAgentSpec,
  CloudAgentStatus,
  cloudAgentGroup,
  cloudAgentKind,
  cloudAgentPlural,
  cloudAgentVersion,
} from './cloud-agent.ts';
import { type JsonSchema, toStructuralSchema } from './to-structural-schema.ts';

const cloudAgentSingular = 'cloudagent';
export const cloudAgentCrdName = `${cloudAgentPlural}.${cloudAgentGroup}`;

// The CRD is validated on input, so the schema describes what a writer may send: fields with
// a zod default are optional (io: 'input').
function jsonSchemaOf(schema: z.ZodType): JsonSchema {
  return toStructuralSchema(z.toJSONSchema(schema, { target: 'openapi-3.0', io: 'input' }) as JsonSchema);
}

export function buildCloudAgentCrd() {
  return {
    apiVersion: 'apiextensions.k8s.io/v1',
    kind: 'CustomResourceDefinition',
    metadata: {
      name: cloudAgentCrdName,
      labels: { 'app.kubernetes.io/name': 'astromesh-cloud', 'app.kubernetes.io/component': 'crd' },
    },
    spec: {
      group: cloudAgentGroup,
      scope: 'Namespaced',
      names: {
        kind: cloudAgentKind,
        listKind: `${cloudAgentKind}List`,
        plural: cloudAgentPlural,
        singular: cloudAgentSingular,
        shortNames: ['cagent'],
        categories: ['astromesh'],
      },
      versions: [
        {
          name: cloudAgentVersion,
          served: true,
          storage: true,
          subresources: { status: {} },
          additionalPrinterColumns: [
            { name: 'Org', type: 'string', jsonPath: '.spec.orgSlug' },
            { name: 'Agent', type: 'string', jsonPath: '.spec.agentName' },
            { name: 'Model', type: 'string', jsonPath: '.spec.agent.spec.model.primary.model' },
            { name: 'Version', type: 'integer', jsonPath: '.spec.version' },
            { name: 'Phase', type: 'string', jsonPath: '.status.phase' },
            { name: 'Ready', type: 'string', jsonPath: '.status.conditions[?(@.type=="Ready")].status' },
            // Serving, Sleeping, RollingOut, Paused or what to fix: why the agent is (not) Ready.
            { name: 'Reason', type: 'string', jsonPath: '.status.conditions[?(@.type=="Ready")].reason' },
            { name: 'Age', type: 'date', jsonPath: '.metadata.creationTimestamp' },
          ],
          schema: {
            openAPIV3Schema: {
              description: 'One agent of one org, deployed to that org\u2019s runtime by the Astromesh operator.',
              type: 'object',
              required: ['spec'],
              properties: {
                apiVersion: { type: 'string' },
                kind: { type: 'string' },
                metadata: { type: 'object' },
                spec: jsonSchemaOf(CloudAgentSpec),
                status: jsonSchemaOf(CloudAgentStatus),
              },
              // Only metadata.name is visible to CEL at the root; it must match the agent it holds,
              // so the API can address a CloudAgent by agent name.
              'x-kubernetes-validations': [
                {
                  rule: 'self.metadata.name == self.spec.agentName',
                  message: 'metadata.name must equal spec.agentName',
                },
              ],
            },
          },
        },
      ],
    },
  };
}
