import { describe, expect, it } from 'vitest';
import { maskSecret } from './mask-secret.ts';

describe('maskSecret', () => {
  it('keeps a known vendor prefix and the last four characters', () => {
    expect(maskSecret('sk-proj-abcdefghijklmnopqrstuvwxyz')).toBe('sk-proj-...wxyz');
    expect(maskSecret('sk-ant-api03-abcdefghijklmnopwxyz')).toBe('sk-ant-...wxyz');
    expect(maskSecret('gsk_abcdefghijklmnop1234')).toBe('gsk_...1234');
  });

  it('shows no leading characters of a key without a known prefix', () => {
    expect(maskSecret('Ab3dEfGh1jKlMnOpQrStUvWx')).toBe('...UvWx');
  });

  it('shows nothing of a short key', () => {
    expect(maskSecret('sk-short')).toBe('sk-...');
    expect(maskSecret('tiny')).toBe('...');
  });
});
