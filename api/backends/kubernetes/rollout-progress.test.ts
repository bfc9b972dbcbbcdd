import { describe, expect, it } from 'vitest';
import type { CloudAgentStatus } from '../../../crds/cloud-agent.ts';
import type { CloudAgentObject } from './build-cloud-agent.ts';
import { rolloutProgressOf } from './rollout-progress.ts';

function aCloudAgent(input: {
  name: string;
  generation?: number;
  status?: CloudAgentStatus;
  deleting?: boolean;
}): CloudAgentObject {
  return {
    apiVersion: 'astromesh.io/v1alpha1',
    kind: 'CloudAgent',
    metadata: {
      name: input.name,
      namespace: 'ns',
      generation: input.generation ?? 1,
      ...(input.deleting ? { deletionTimestamp: '2025-01-01T00:00:00Z' } : {}),
    },
    spec: {} as CloudAgentObject['spec'],
    status: input.status,
  };
}

const condition = (status: 'True' | 'False', reason: string, message: string, type = 'Ready') => ({
  type,
  status,
  reason,
  message,
  lastTransitionTime: '2025-01-01T00:00:00Z',
});

describe('rolloutProgressOf', () => {
  it('is served when every CloudAgent reports its phase for the generation applied or a later one', () => {
    const observed = [
      aCloudAgent({ name: 'a', generation: 2, status: { phase: 'Ready', observedGeneration: 2 } }),
      aCloudAgent({ name: 'b', generation: 4, status: { phase: 'Paused', observedGeneration: 4 } }),
    ];

    const progress = rolloutProgressOf(
      [
        { name: 'a', phase: 'Ready', generation: 2 },
        { name: 'b', phase: 'Paused', generation: 3 },
      ],
      observed,
    );

    expect(progress).toEqual({ state: 'served' });
  });

  it('waits while a status still describes an older generation, even a Ready one', () => {
    const observed = [aCloudAgent({ name: 'a', generation: 3, status: { phase: 'Ready', observedGeneration: 2 } })];

    const progress = rolloutProgressOf([{ name: 'a', phase: 'Ready', generation: 3 }], observed);

    expect(progress).toEqual({ state: 'waiting', waitingFor: ['a: generation 3 not observed by the operator yet'] });
  });

  it('waits for a CloudAgent in another phase, one being deleted, and one not found', () => {
    const observed = [
      aCloudAgent({ name: 'a', status: { phase: 'Deploying', observedGeneration: 1 } }),
      aCloudAgent({ name: 'b', deleting: true }),
    ];

    const progress = rolloutProgressOf(
      [
        { name: 'a', phase: 'Ready', generation: 1 },
        { name: 'b', phase: 'Ready', generation: 1 },
        { name: 'c', phase: 'Paused', generation: 1 },
      ],
      observed,
    );

    expect(progress).toEqual({
      state: 'waiting',
      waitingFor: ['a: Deploying, not Ready', 'b: still being deleted', 'c: not found'],
    });
  });

  it('waits for an agent that is Ready only because its org sleeps: the deploy has woken the org, which serves nothing yet', () => {
    const observed = [
      aCloudAgent({
        name: 'a',
        status: {
          phase: 'Ready',
          observedGeneration: 1,
          conditions: [condition('True', 'Sleeping', "the org's runtime is scaled to zero while idle")],
        },
      }),
      aCloudAgent({
        name: 'b',
        status: { phase: 'Ready', observedGeneration: 1, conditions: [condition('True', 'Serving', 'serves')] },
      }),
    ];

    const progress = rolloutProgressOf(
      [
        { name: 'a', phase: 'Ready', generation: 1 },
        { name: 'b', phase: 'Ready', generation: 1 },
      ],
      observed,
    );

    expect(progress).toEqual({ state: 'waiting', waitingFor: ["a: its org's runtime is still asleep"] });
  });

  it("fails with the Ready condition's message when the operator marks the current generation Failed", () => {
    const observed = [
      aCloudAgent({
        name: 'a',
        status: {
          phase: 'Failed',
          observedGeneration: 1,
          conditions: [condition('False', 'InvalidSpec', "unknown tool 'teleport'")],
        },
      }),
    ];

    const progress = rolloutProgressOf([{ name: 'a', phase: 'Ready', generation: 1 }], observed);

    expect(progress).toEqual({ state: 'failed', name: 'a', reason: "unknown tool 'teleport' (InvalidSpec)" });
  });

  it('falls back to the Accepted condition, and ignores a failure of an older generation', () => {
    const failed = (generation: number) =>
      aCloudAgent({
        name: 'a',
        generation: 2,
        status: {
          phase: 'Failed',
          observedGeneration: generation,
          conditions: [condition('False', 'SpecRejected', 'model missing', 'Accepted')],
        },
      });

    expect(rolloutProgressOf([{ name: 'a', phase: 'Ready', generation: 2 }], [failed(2)])).toEqual({
      state: 'failed',
      name: 'a',
      reason: 'model missing (SpecRejected)',
    });
    expect(rolloutProgressOf([{ name: 'a', phase: 'Ready', generation: 2 }], [failed(1)])).toMatchObject({
      state: 'waiting',
    });
  });
});
