import { describe, expect, it } from 'vitest';
import { chooseStreamProtocol, tokenOfProtocols } from './token-of-protocols.ts';

const entryOf = (token: string) => `astromesh.bearer.${Buffer.from(token).toString('base64url')}`;
const aJwt = 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ1In0.c2lnbmF0dXJl';

describe('tokenOfProtocols', () => {
  it('reads the token of the astromesh.bearer. entry, wherever it stands in the list', () => {
    expect(tokenOfProtocols(`astromesh.v1, ${entryOf(aJwt)}`)).toBe(aJwt);
    expect(tokenOfProtocols(`${entryOf('ask-abc_123')},astromesh.v1`)).toBe('ask-abc_123');
  });

  it('finds no token without a header or without an entry', () => {
    expect(tokenOfProtocols(undefined)).toBeUndefined();
    expect(tokenOfProtocols('astromesh.v1')).toBeUndefined();
  });

  it('refuses an entry that is not the unpadded base64url of visible ASCII, without quoting it', () => {
    for (const encoded of ['', 'a', 'YWJj=', 'YW+j', 'YW/j', 'YWJ', Buffer.from('a b').toString('base64url')]) {
      expect(() => tokenOfProtocols(`astromesh.v1, astromesh.bearer.${encoded}`)).toThrow(
        'Sec-WebSocket-Protocol: the astromesh.bearer. entry must be the base64url (no padding) of a token',
      );
    }
  });

  it('refuses two entries, and an entry offered without astromesh.v1', () => {
    expect(() => tokenOfProtocols(`astromesh.v1, ${entryOf('a')}, ${entryOf('b')}`)).toThrow(
      'offer one astromesh.bearer. entry, not 2',
    );
    expect(() => tokenOfProtocols(entryOf(aJwt))).toThrow('offer astromesh.v1 beside the astromesh.bearer. entry');
  });
});

describe('chooseStreamProtocol', () => {
  it('answers astromesh.v1 when offered and nothing otherwise, never the bearer entry', () => {
    expect(chooseStreamProtocol(new Set([entryOf(aJwt), 'astromesh.v1']))).toBe('astromesh.v1');
    expect(chooseStreamProtocol(new Set([entryOf(aJwt)]))).toBe(false);
  });
});
