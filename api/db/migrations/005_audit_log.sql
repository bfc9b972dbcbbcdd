-- The audit log (issue 15): one row per state-changing call (every POST, PUT, PATCH and DELETE
-- route, refused calls included, with their status) and per auth event (sign-in, refresh, reuse of
-- a refresh token, logout, use of a revoked API key). Summaries hold an allow-list of fields per
-- action, never a request body as is, so no secret reaches this table.
CREATE TABLE audit_log (
  id bigserial PRIMARY KEY,
  at timestamptz NOT NULL DEFAULT now(),
  -- No foreign keys: an entry outlives the org, user or key it names, until the retention sweep.
  -- NULL: an event no org can be told from (a refresh token nobody knows, dev login refused).
  org_id uuid,
  actor_kind text NOT NULL CHECK (actor_kind IN ('user', 'api_key', 'anonymous')),
  actor_id text,
  action text NOT NULL,
  method text,
  route text,
  target text,
  summary jsonb NOT NULL DEFAULT '{}'::jsonb,
  status integer NOT NULL,
  request_id text,
  source_ip text
);
-- GET /orgs/{slug}/audit pages newest first by id within one org.
CREATE INDEX audit_log_org_id ON audit_log (org_id, id);
CREATE INDEX audit_log_at ON audit_log (at);

-- Append-only. No statement may UPDATE a row, TRUNCATE the table or DELETE a row, except the
-- retention sweep below: it sets astromesh.audit_sweep_days for its own transaction, and the
-- trigger then lets through only rows older than that many days (at least 1). This guards against
-- the API's own code and an operator's slip; the table's owner could still drop the trigger
-- (README: "Audit log"), which a role without ownership cannot.
CREATE FUNCTION audit_log_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  sweep_days integer := nullif(current_setting('astromesh.audit_sweep_days', true), '')::integer;
BEGIN
  IF TG_OP = 'DELETE' AND sweep_days >= 1 AND OLD.at < now() - make_interval(days => sweep_days) THEN
    RETURN OLD;
  END IF;
  RAISE EXCEPTION 'audit_log is append-only: % refused', TG_OP USING ERRCODE = 'insufficient_privilege';
END
$$;
CREATE TRIGGER audit_log_append_only BEFORE UPDATE OR DELETE ON audit_log
  FOR EACH ROW EXECUTE FUNCTION audit_log_refuse_change();
CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log
  FOR EACH STATEMENT EXECUTE FUNCTION audit_log_refuse_change();

-- Revoking an API key deletes it (seed 003: requests with it fail at once). Its hash is kept here
-- so that a later use of it is told apart from a key that never existed: an auth event worth a
-- row of audit_log. Kept as long as the audit log keeps entries.
CREATE TABLE revoked_api_keys (
  secret_hash bytea PRIMARY KEY,
  key_id text NOT NULL,
  org_id uuid NOT NULL REFERENCES orgs (id) ON DELETE CASCADE,
  revoked_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX revoked_api_keys_revoked_at ON revoked_api_keys (revoked_at);

-- The retention sweep (ASTROMESH_AUDIT_RETENTION_DAYS): the only path by which rows leave.
CREATE FUNCTION sweep_audit_log(retention_days integer) RETURNS bigint LANGUAGE plpgsql AS $$
DECLARE
  deleted bigint;
BEGIN
  IF retention_days IS NULL OR retention_days < 1 THEN
    RAISE EXCEPTION 'retention_days must be at least 1, got %', retention_days;
  END IF;
  PERFORM set_config('astromesh.audit_sweep_days', retention_days::text, true);
  DELETE FROM audit_log WHERE at < now() - make_interval(days => retention_days);
  GET DIAGNOSTICS deleted = ROW_COUNT;
  PERFORM set_config('astromesh.audit_sweep_days', '', true);
  DELETE FROM revoked_api_keys WHERE revoked_at < now() - make_interval(days => retention_days);
  RETURN deleted;
END
$$;
