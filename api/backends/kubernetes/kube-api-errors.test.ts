import { ApiException } from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
import { kubeErrorMessage, kubeStatusOf } from './kube-api-errors.ts';

const forbidden = new ApiException(
  403,
  'HTTP-Code: 403\nMessage: Unknown API Status Code!\nBody: …',
  JSON.stringify({ kind: 'Status', message: 'secrets "x" is forbidden', code: 403 }),
  {},
);

describe('kubeErrorMessage', () => {
  it("says what the API server said, in one line, rather than client-node's dump", () => {
    expect(kubeErrorMessage(forbidden)).toBe('the Kubernetes API answered 403: secrets "x" is forbidden');
    expect(kubeStatusOf(forbidden)).toBe(403);
  });

  it('keeps the message of anything that is not an API answer', () => {
    const refused = new Error('connect ECONNREFUSED 127.0.0.1:6443');

    expect(kubeErrorMessage(refused)).toBe('connect ECONNREFUSED 127.0.0.1:6443');
    expect(kubeStatusOf(refused)).toBeUndefined();
  });
});
