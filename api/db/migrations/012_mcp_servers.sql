-- Issue 16, item 2(a): MCP tool servers an org configures, whose tools its agents may use. In the
-- Cloud only Streamable HTTP servers are allowed (no stdio process inside a shared platform), so a
-- server is a URL and, optionally, a bearer token. The token reaches the runtime like a provider
-- key does, so it is sealed the same way (AES-256-GCM under the master key, the row's identity as
-- associated data); the four seal columns are all null for a server without a token.
CREATE TABLE mcp_servers (
  org_id uuid NOT NULL REFERENCES orgs (id) ON DELETE CASCADE,
  name text NOT NULL CHECK (name ~ '^[a-z0-9-]{1,40}$'),
  url text NOT NULL CHECK (url ~* '^https?://' AND length(url) <= 2048),
  key_id text,
  iv bytea,
  ciphertext bytea,
  auth_tag bytea,
  masked_token text,
  -- Only these of the server's tools are offered to the org's agents; null: all of them.
  tools text[],
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (org_id, name),
  CHECK ((key_id IS NULL) = (ciphertext IS NULL) AND (iv IS NULL) = (ciphertext IS NULL)
    AND (auth_tag IS NULL) = (ciphertext IS NULL) AND (masked_token IS NULL) = (ciphertext IS NULL))
);
