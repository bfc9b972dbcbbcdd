import { type ApiClient, createApiClient } from '../api/api-client.ts';
import { devLogin, logout, refreshFromCookie } from '../api/auth-api.ts';

export type SessionState = { kind: 'restoring' } | { kind: 'signed-out' } | { kind: 'signed-in'; org: string };

/**
 * Who is signed in. The access token is held here, in memory only — never in localStorage or
 * sessionStorage, where any script on the page could read it; a reload restores the session
 * from the HttpOnly refresh cookie instead.
 */
export function createSession() {
  let accessToken: string | undefined;
  let state: SessionState = { kind: 'restoring' };
  const listeners = new Set<(state: SessionState) => void>();
  let renewal: Promise<boolean> | undefined;

  function set(next: SessionState, token?: string): void {
    accessToken = token;
    state = next;
    for (const listener of listeners) listener(state);
  }

  /** One refresh at a time: a refresh token works once, so two at once would end the session. */
  function renew(): Promise<boolean> {
    renewal ??= refreshFromCookie()
      .then((tokens) => {
        set({ kind: 'signed-in', org: tokens.org_slug }, tokens.access_token);
        return true;
      })
      .catch(() => {
        set({ kind: 'signed-out' });
        return false;
      })
      .finally(() => {
        renewal = undefined;
      });
    return renewal;
  }

  const api: ApiClient = createApiClient({ accessToken: () => accessToken, renew });

  return {
    api,
    state: () => state,
    /**
     * The access token, for what cannot send it in a header: the playground's WebSocket offers it
     * as a subprotocol (`astromesh.bearer.<base64url>`), never in the URL a console may print.
     */
    accessToken: () => accessToken,
    subscribe(listener: (state: SessionState) => void): () => void {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    /** On page load: signed in again if the cookie holds a live session. */
    restore: () => renew(),
    async signInWithDevLogin(input: { email: string; name: string }): Promise<void> {
      const tokens = await devLogin(input);
      set({ kind: 'signed-in', org: tokens.org_slug }, tokens.access_token);
    },
    async signOut(): Promise<void> {
      const token = accessToken;
      set({ kind: 'signed-out' });
      if (token) await logout(token).catch(() => undefined); // signed out here either way
    },
  };
}
export type Session = ReturnType<typeof createSession>;
