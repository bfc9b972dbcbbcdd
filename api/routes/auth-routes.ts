import { z } from 'zod';
import { authenticatedRoute, publicRoute } from '../http/api-route.ts';
import type { AuthService } from '../services/auth-service.ts';

const TokenResponse = z.object({
  access_token: z.string(),
  token_type: z.literal('bearer'),
  expires_in: z.int().describe('Seconds until the access token expires.'),
  refresh_token: z.string().describe('Single use: POST /auth/refresh returns a new one.'),
  org_slug: z.string(),
});

export function authRoutes(auth: AuthService) {
  return [
    publicRoute({
      method: 'post',
      path: '/auth/dev/login',
      summary: 'Create or retrieve a user and their org and sign in (development only)',
      tag: 'Auth',
      body: z.object({
        email: z.email().max(254),
        name: z.string().max(200).default(''),
      }),
      response: TokenResponse,
      errors: [403],
      handle: ({ body }) => auth.devLogin(body),
    }),
    publicRoute({
      method: 'post',
      path: '/auth/refresh',
      summary: 'Trade a refresh token for a new token pair; reusing one revokes the whole session',
      tag: 'Auth',
      body: z.object({ refresh_token: z.string().min(1).max(200) }),
      response: TokenResponse,
      errors: [401],
      handle: ({ body }) => auth.refresh(body.refresh_token),
    }),
    authenticatedRoute({
      method: 'post',
      path: '/auth/logout',
      summary: 'Revoke the current session at once (its access and refresh tokens stop working)',
      tag: 'Auth',
      status: 204,
      // An API key has no session: it is revoked through DELETE /orgs/{slug}/keys/{key_id}.
      errors: [403],
      handle: async ({ principal }) => {
        await auth.logout(principal);
      },
    }),
    publicRoute({
      method: 'post',
      path: '/auth/google',
      summary: 'Exchange a Google ID token (not implemented yet: 501)',
      tag: 'Auth',
      errors: [501],
      handle: async () => auth.oauth('google'),
    }),
    publicRoute({
      method: 'post',
      path: '/auth/github',
      summary: 'Exchange a GitHub OAuth code (not implemented yet: 501)',
      tag: 'Auth',
      errors: [501],
      handle: async () => auth.oauth('github'),
    }),
  ];
}
