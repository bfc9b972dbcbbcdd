import { useEffect, useState } from 'preact/hooks';
import { useLocation } from 'preact-iso/router';
import type { SignInProviders } from '../../../api/schemas/sign-in.ts';
import { ApiError } from '../api/api-error.ts';
import { providerStartHref, signInProviders } from '../api/sign-in-providers-api.ts';
import { useSession } from '../session/session-context.ts';
import { signInRefusalText } from './sign-in-refusal-text.ts';
import './sign-in.css';

/**
 * Sign-in: a button per identity provider the API has configured (GET /auth/providers; each a
 * plain link to the API's start, which comes back here signed in), and dev login while it is open.
 */
export function SignInPage() {
  const session = useSession();
  const location = useLocation();
  const [email, setEmail] = useState('');
  const [name, setName] = useState('');
  const [error, setError] = useState<string | undefined>();
  const [isBusy, setBusy] = useState(false);
  const [offered, setOffered] = useState<SignInProviders | undefined>();
  const refusal = signInRefusalText(location.query.sign_in_error);

  useEffect(() => {
    // Without the list (an older API, a network hiccup) dev login still shows, as before.
    signInProviders().then(setOffered, () => undefined);
  }, []);
  const providers = offered?.providers ?? [];
  const isDevLoginOpen = offered?.dev_login ?? true;

  async function signIn(event: Event) {
    event.preventDefault();
    setBusy(true);
    setError(undefined);
    try {
      await session.signInWithDevLogin({ email, name });
      location.route('/studio/agents');
    } catch (err) {
      setError(signInErrorText(err));
      setBusy(false);
    }
  }

  return (
    <main id="main" class="sign-in">
      <h1>Astromesh Studio</h1>
      {refusal && (
        <p class="error" role="alert">
          {refusal}
        </p>
      )}
      {providers.length > 0 && (
        <section class="card sign-in-providers" aria-labelledby="providers-heading">
          <h2 id="providers-heading">Sign in</h2>
          <ul>
            {providers.map((provider) => (
              <li key={provider.id}>
                <a class="button-link" href={providerStartHref(provider.start_url)}>
                  Sign in with {provider.name}
                </a>
              </li>
            ))}
          </ul>
        </section>
      )}
      {isDevLoginOpen && (
        <form class="card" onSubmit={signIn}>
          <h2>{providers.length > 0 ? 'Dev login' : 'Sign in'}</h2>
          <p class="hint">Dev login: creates your user and an org of its own the first time.</p>
          <label for="email">Email</label>
          <input
            id="email"
            type="email"
            autocomplete="email"
            required
            value={email}
            onInput={(e) => setEmail(e.currentTarget.value)}
            aria-describedby={error ? 'sign-in-error' : undefined}
          />
          <label for="name">Name (optional)</label>
          <input
            id="name"
            type="text"
            autocomplete="name"
            value={name}
            onInput={(e) => setName(e.currentTarget.value)}
          />
          {error && (
            <p id="sign-in-error" class="error" role="alert">
              {error}
            </p>
          )}
          <button type="submit" class="primary" disabled={isBusy}>
            {isBusy ? 'Signing in…' : 'Sign in'}
          </button>
        </form>
      )}
      {offered && !isDevLoginOpen && providers.length === 0 && (
        <p class="hint">This deployment offers no way to sign in yet: ask its operator to configure one.</p>
      )}
    </main>
  );
}

function signInErrorText(err: unknown): string {
  if (!(err instanceof ApiError)) return 'The API could not be reached. Is it running?';
  if (err.code === 'dev_login_disabled') {
    return 'Dev login is turned off on this deployment (ASTROMESH_DEV_LOGIN), and it offers no other sign-in yet.';
  }
  return err.field
    ? `${err.field === 'email' ? 'Email' : err.field}: ${err.message.slice(err.field.length + 2)}`
    : err.message;
}
