import { z } from 'zod';

// Imports zod only, so Studio (studio/src/api) can take these types without pulling in the API.

export const SignInProviderId = z.enum(['oidc', 'github']);

/** GET /auth/providers: what the Studio's sign-in page offers besides dev login. */
export const SignInProviders = z.object({
  providers: z.array(
    z.object({
      id: SignInProviderId,
      name: z.string().describe('For a button: "Sign in with <name>".'),
      start_url: z.string().describe('Navigate the browser here to sign in.'),
    }),
  ),
  dev_login: z.boolean().describe('Whether POST /auth/dev/login is open on this deployment.'),
});
export type SignInProviders = z.infer<typeof SignInProviders>;

/** A Studio page to land on after signing in: a path on this origin, never another site. */
export const ReturnTo = z
  .string()
  .max(500)
  .regex(/^\/studio(\/[A-Za-z0-9._~\-/]*)?$/, 'must be a Studio path such as /studio/agents')
  .refine((path) => !path.split('/').includes('..'), 'must be a Studio path such as /studio/agents (no ..)')
  .describe('The Studio page to land on after signing in; /studio/ if not given.');

/**
 * POST /auth/google and /auth/github: no code starts a sign-in, a code and state finish it. A code
 * without its state is a callback that cannot be matched: refused as such (401), like a forged one.
 */
export const ProviderSignInBody = z.object({
  code: z.string().min(1).max(2000).optional().describe('The code of the provider’s callback (finishing).'),
  state: z.string().min(1).max(500).optional().describe('The state of the same callback (required with code).'),
  iss: z.string().max(500).optional().describe('The issuer of the same callback, when the issuer sent one (RFC 9207).'),
  return_to: ReturnTo.optional(),
});

/** POST /auth/google and /auth/github without a code: where to send the user. */
export const StartedSignIn = z.object({
  authorization_url: z.string().describe('Send the user here; the provider calls back GET /auth/{provider}/callback.'),
  state: z.string(),
});
