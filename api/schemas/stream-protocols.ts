// Free of imports, so Studio (studio/src) offers the same protocol names as values without bundling API code.

/**
 * The WebSocket subprotocol of the agent stream: the one the API answers with. A client that
 * authenticates in the protocol list must offer it too, since a browser fails a handshake whose
 * answer names no protocol of the ones it offered.
 */
export const streamProtocol = 'astromesh.v1';

/**
 * The prefix of the protocol entry that carries the caller's token, as Kubernetes does for its
 * WebSocket clients: `astromesh.bearer.<base64url of the token, no padding>`. A browser cannot set
 * Authorization on a WebSocket, and a token in the URL is printed by the browser's console when
 * the upgrade fails; the Sec-WebSocket-Protocol header is neither.
 */
export const bearerProtocolPrefix = 'astromesh.bearer.';
