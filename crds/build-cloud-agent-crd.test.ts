import { describe, expect, it } from 'vitest';
import { buildCloudAgentCrd } from './build-cloud-agent-crd.ts';
import type { JsonSchema } from './to-structural-schema.ts';

function unboundedNodes(node: JsonSchema, path: string): string[] {
  const found: string[] = [];
  const isBoundedString = node.maxLength !== undefined || node.enum !== undefined || node.format === 'date-time';
  if (node.type === 'string' && !isBoundedString) found.push(`${path}: string without maxLength`);
  if (node.type === 'array' && node.maxItems === undefined) found.push(`${path}: list without maxItems`);
  if (node.additionalProperties && node.maxProperties === undefined) found.push(`${path}: map without maxProperties`);
  for (const [name, child] of Object.entries((node.properties ?? {}) as Record<string, JsonSchema>)) {
    found.push(...unboundedNodes(child, `${path}.${name}`));
  }
  if (node.items) found.push(...unboundedNodes(node.items as JsonSchema, `${path}[]`));
  if (typeof node.additionalProperties === 'object') {
    found.push(...unboundedNodes(node.additionalProperties as JsonSchema, `${path}{}`));
  }
  return found;
}

describe('buildCloudAgentCrd', () => {
  const version = buildCloudAgentCrd().spec.versions[0];
  const properties = version?.schema.openAPIV3Schema.properties;

  // The API server estimates each CEL rule's cost from these bounds and refuses a CRD whose
  // worst case is too expensive; bounds also cap what one CloudAgent can make the operator hold.
  it('bounds every string, list and map of spec and status', () => {
    expect(unboundedNodes(properties?.spec ?? {}, 'spec')).toEqual([]);
    expect(unboundedNodes(properties?.status ?? {}, 'status')).toEqual([]);
  });

  it('keeps conditions a map list keyed by type, as kubectl and server-side apply expect', () => {
    const conditions = (properties?.status.properties as Record<string, JsonSchema> | undefined)?.conditions;

    expect(conditions).toMatchObject({ 'x-kubernetes-list-type': 'map', 'x-kubernetes-list-map-keys': ['type'] });
  });
});
