/**
 * The words for a sign-in the API refused on its callback (`/studio/sign-in?sign_in_error=<code>`).
 * Only the code comes from the address, so a crafted link cannot make the page say anything else.
 */
export function signInRefusalText(code: string | undefined): string | undefined {
  if (!code) return undefined;
  switch (code) {
    case 'sign_in_refused':
      return 'That sign-in could not be completed: it expired, was used already, or was started in another browser. Please try again.';
    case 'email_not_verified':
      return 'Your identity provider has not verified your email address. Verify it there, then sign in again.';
    case 'not_implemented':
      return 'That sign-in method is not configured on this deployment.';
    default:
      return 'The sign-in failed. Please try again.';
  }
}
