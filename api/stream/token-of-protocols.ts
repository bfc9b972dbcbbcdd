import { InputRefused } from '../../runtime/input/input-refused.ts';
import { Unauthenticated } from '../errors.ts';
import { bearerProtocolPrefix, streamProtocol } from '../schemas/stream-protocols.ts';

// A JWT or an `ask-` key: visible ASCII only. Anything else decoded from the entry is not a token.
const tokenText = /^[\x21-\x7e]+$/;
const base64urlText = /^[A-Za-z0-9_-]+$/;

/**
 * The token a client offered in its Sec-WebSocket-Protocol header as
 * `astromesh.bearer.<base64url(token)>`, or undefined when it offered none. A malformed entry is a
 * 401 (it is a credential, and a wrong one); an entry without `astromesh.v1` beside it is a 400,
 * since the answer could then name no protocol the client offered. The messages never quote the entry.
 */
export function tokenOfProtocols(header: string | undefined): string | undefined {
  const offered = (header ?? '')
    .split(',')
    .map((entry) => entry.trim())
    .filter((entry) => entry !== '');
  const bearers = offered.filter((entry) => entry.startsWith(bearerProtocolPrefix));
  if (bearers.length === 0) return undefined;
  if (bearers.length > 1) {
    throw new Unauthenticated(`Sec-WebSocket-Protocol: offer one ${bearerProtocolPrefix} entry, not ${bearers.length}`);
  }
  if (!offered.includes(streamProtocol)) {
    throw new InputRefused(`Sec-WebSocket-Protocol: offer ${streamProtocol} beside the ${bearerProtocolPrefix} entry`);
  }
  const encoded = (bearers[0] as string).slice(bearerProtocolPrefix.length);
  const token = base64urlText.test(encoded) ? Buffer.from(encoded, 'base64url').toString('latin1') : '';
  // The round trip refuses what Buffer would decode leniently (a dangling character, stray bits).
  if (!tokenText.test(token) || Buffer.from(token, 'latin1').toString('base64url') !== encoded) {
    throw new Unauthenticated(
      `Sec-WebSocket-Protocol: the ${bearerProtocolPrefix} entry must be the base64url (no padding) of a token`,
    );
  }
  return token;
}

/**
 * ws's handleProtocols: the answer is always `astromesh.v1` when offered, never another entry (by
 * default ws echoes the first one offered, which could be the token).
 */
export function chooseStreamProtocol(offered: Set<string>): string | false {
  return offered.has(streamProtocol) ? streamProtocol : false;
}
