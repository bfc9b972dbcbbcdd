-- Agent versions (issue 15, item 1): every deploy that changes what an agent runs records what it
-- ran, so a team can see, compare and roll back to it. Written in the deploy's own transaction.
CREATE TABLE agent_versions (
  agent_id uuid NOT NULL REFERENCES agents (id) ON DELETE CASCADE,
  version integer NOT NULL CHECK (version >= 1),
  config jsonb NOT NULL,
  -- The compiled astromesh/v1 Agent as YAML, without the version stamp the deployed copy carries:
  -- its sha256 names the content, so a redeploy of the same config finds it equal.
  yaml text NOT NULL,
  checksum text NOT NULL CHECK (checksum ~ '^[0-9a-f]{64}$'),
  -- Who deployed it: a signed-in user or an API key (each kept after the user or key is gone).
  deployed_by_user_id uuid,
  deployed_by_api_key_id text,
  rolled_back_from integer,
  created_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (agent_id, version),
  CHECK ((deployed_by_user_id IS NULL) <> (deployed_by_api_key_id IS NULL))
);

-- A version is a record of what ran: nothing rewrites it (deleting its agent still deletes it).
CREATE FUNCTION refuse_agent_version_update() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'agent versions are immutable';
END;
$$;
CREATE TRIGGER agent_versions_immutable BEFORE UPDATE ON agent_versions
  FOR EACH ROW EXECUTE FUNCTION refuse_agent_version_update();

-- The version the agent's deployment holds; NULL for a draft, or a paused agent edited since.
ALTER TABLE agents ADD COLUMN version integer;

-- Which version answered a run, as its runtime said (NULL: a runtime that did not say).
ALTER TABLE usage_records ADD COLUMN agent_version integer;
