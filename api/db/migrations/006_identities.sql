-- Sign-in through an OpenID Connect issuer or GitHub (issue 15). An attempt is what the start of
-- a sign-in keeps for its callback: found by the hash of its state, used once, within minutes.
-- The PKCE verifier and nonce are short-lived single-use values, not credentials of anything yet.
CREATE TABLE sign_in_attempts (
  state_hash bytea PRIMARY KEY,
  provider text NOT NULL CHECK (provider IN ('oidc', 'github')),
  nonce text NOT NULL,
  code_verifier text NOT NULL,
  -- Hash of the random value of the starting browser's cookie: a callback from another browser
  -- (login CSRF: an attacker's own code planted in a victim's browser) does not match it.
  browser_hash bytea NOT NULL,
  return_to text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  expires_at timestamptz NOT NULL,
  used_at timestamptz
);
CREATE INDEX sign_in_attempts_expiry ON sign_in_attempts (expires_at);

-- Which provider account signed in as which user. Accounts are matched by verified email; this
-- records the provider's own id for each, and when it last signed in.
CREATE TABLE user_identities (
  provider text NOT NULL,
  subject text NOT NULL,
  user_id uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  email text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  last_sign_in_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (provider, subject)
);
CREATE INDEX user_identities_user ON user_identities (user_id);
