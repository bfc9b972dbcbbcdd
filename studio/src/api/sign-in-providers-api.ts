import type { SignInProviders } from '../../../api/schemas/sign-in.ts';
import { apiPrefix } from './api-client.ts';
import { ApiError, errorBodyOf } from './api-error.ts';

/** What the sign-in page offers: the identity providers configured, and whether dev login is open. */
export async function signInProviders(): Promise<SignInProviders> {
  const response = await fetch(`${apiPrefix}/auth/providers`, { headers: { accept: 'application/json' } });
  if (!response.ok) throw new ApiError(await errorBodyOf(response));
  return (await response.json()) as SignInProviders;
}

/** Where a provider's button leads: the API's start, back to the agents page once signed in. */
export function providerStartHref(startUrl: string): string {
  return `${startUrl}?return_to=${encodeURIComponent('/studio/agents')}`;
}
