import { useState } from 'preact/hooks';
import { useLocation } from 'preact-iso/router';
import { ApiError } from '../api/api-error.ts';
import { useSession } from '../session/session-context.ts';

/** Dev login: the sign-in the API offers today (other methods plug in here as the API gains them). */
export function SignInPage() {
  const session = useSession();
  const location = useLocation();
  const [email, setEmail] = useState('');
  const [name, setName] = useState('');
  const [error, setError] = useState<string | undefined>();
  const [isBusy, setBusy] = useState(false);

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
      <form class="card" onSubmit={signIn}>
        <h2>Sign in</h2>
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
        <input id="name" type="text" autocomplete="name" value={name} onInput={(e) => setName(e.currentTarget.value)} />
        {error && (
          <p id="sign-in-error" class="error" role="alert">
            {error}
          </p>
        )}
        <button type="submit" class="primary" disabled={isBusy}>
          {isBusy ? 'Signing in…' : 'Sign in'}
        </button>
      </form>
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
