import { describe, expect, it } from 'vitest';
import { expandKubeReferences } from './expand-kube-references.ts';

const variables = new Map([
  ['POD_IP', '127.0.0.2'],
  ['PORT', '8080'],
]);

describe('expandKubeReferences', () => {
  it('replaces defined names', () => {
    expect(expandKubeReferences('--listen=$(POD_IP):$(PORT)', variables)).toBe('--listen=127.0.0.2:8080');
  });

  it('keeps an undefined name as written', () => {
    expect(expandKubeReferences('$(MISSING)/x', variables)).toBe('$(MISSING)/x');
  });

  it('reads $$ as an escaped dollar', () => {
    expect(expandKubeReferences('$$(POD_IP) costs $$5', variables)).toBe('$(POD_IP) costs $5');
  });

  it('leaves other dollars and an unclosed reference alone', () => {
    expect(expandKubeReferences('$HOME $(POD_IP $', variables)).toBe('$HOME $(POD_IP $');
  });
});
