// The browser session's contract, shared by the API and Studio (studio/src/api): a browser keeps
// its refresh token in an HttpOnly cookie, out of reach of scripts, instead of in the JSON body.

/**
 * Sent on dev login and refresh to ask for the refresh token as a cookie, and required on a refresh
 * that relies on the cookie: a cross-site form cannot set a custom header, so this is a CSRF
 * defence beside SameSite=Strict.
 */
export const sessionModeHeader = 'X-Astromesh-Session';
export const cookieSessionMode = 'cookie';

export const refreshCookieName = 'astromesh_refresh';
/** Sent by the browser to the auth routes only (refresh, logout), never to the rest of the API. */
export const refreshCookiePath = '/api/v1/auth';
