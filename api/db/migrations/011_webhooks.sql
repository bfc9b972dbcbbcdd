-- Inbound webhooks (issue 16, item 6): a signed POST to /api/v1/hooks/{id} starts a background run
-- of the webhook's agent. The signing secret must be usable to compute an HMAC, so unlike an API key
-- it cannot be kept as a hash: it is sealed with the API's master key (AES-256-GCM, as provider keys
-- are) and only its first characters are kept in clear, for lists.
CREATE TABLE webhooks (
  id uuid PRIMARY KEY,
  org_id uuid NOT NULL,
  agent_name text NOT NULL,
  name text NOT NULL,
  -- Liquid template rendering the run's query from the payload.
  template text NOT NULL,
  key_id text NOT NULL,
  iv bytea NOT NULL,
  ciphertext bytea NOT NULL,
  auth_tag bytea NOT NULL,
  secret_prefix text NOT NULL,
  -- After a rotation the previous secret keeps working until previous_expires_at (the grace the
  -- rotation asked for); all four previous_* columns are null when there is none.
  previous_key_id text,
  previous_iv bytea,
  previous_ciphertext bytea,
  previous_auth_tag bytea,
  previous_expires_at timestamptz,
  -- Runs the webhook starts act as whoever created it: {"kind": "user"|"api_key", "id": "..."}.
  created_by jsonb NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  rotated_at timestamptz,
  -- A webhook belongs to its agent: deleting the agent deletes its webhooks (and their URLs stop).
  FOREIGN KEY (org_id, agent_name) REFERENCES agents (org_id, name) ON DELETE CASCADE
);
CREATE INDEX webhooks_agent ON webhooks (org_id, agent_name, created_at);

-- Replay protection across replicas: a signature accepted once is refused again while its
-- timestamp is inside the replay window; rows are pruned once they fall out of it.
CREATE TABLE webhook_signatures_seen (
  webhook_id uuid NOT NULL REFERENCES webhooks (id) ON DELETE CASCADE,
  signature text NOT NULL,
  expires_at timestamptz NOT NULL,
  PRIMARY KEY (webhook_id, signature)
);
CREATE INDEX webhook_signatures_seen_expires_at ON webhook_signatures_seen (expires_at);
