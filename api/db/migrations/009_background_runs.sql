-- Background runs (issue 16, item 4): a run started by POST …/agents/{name}/runs (and later by
-- schedules and webhooks) outlives the request that started it. The replica that accepted it runs it
-- in-process and holds it by a lease it renews; a replica that dies stops renewing, and whichever
-- replica sweeps next marks its runs failed (replica_lost). The run's query is not kept: only the
-- executing replica needs it, and a run whose replica is lost is not restarted.
CREATE TABLE background_runs (
  id uuid PRIMARY KEY,
  -- Orders the org's runs for GET …/runs paging (the cursor), as audit_log's id does.
  position bigserial NOT NULL UNIQUE,
  org_id uuid NOT NULL REFERENCES orgs (id) ON DELETE CASCADE,
  -- No foreign key: a run outlives a deleted agent, until its retention ends.
  agent_name text NOT NULL,
  status text NOT NULL CHECK (status IN ('queued', 'running', 'succeeded', 'failed', 'cancelled')),
  -- Who started it: an API call, a schedule or a webhook (origin_id names the schedule or webhook).
  origin_kind text NOT NULL CHECK (origin_kind IN ('api', 'schedule', 'webhook')),
  origin_id text,
  -- The API process executing it, and until when its lease holds (PostgreSQL's clock).
  holder text,
  lease_expires_at timestamptz,
  -- Set by POST …/cancel on any replica; the holder learns of it by NOTIFY or its heartbeat's poll.
  cancel_requested_at timestamptz,
  created_at timestamptz NOT NULL DEFAULT now(),
  started_at timestamptz,
  finished_at timestamptz,
  -- The run answer (the body POST …/run answers) once succeeded; {code, message} once failed.
  result jsonb,
  error jsonb
);
CREATE INDEX background_runs_agent ON background_runs (org_id, agent_name, position);
CREATE INDEX background_runs_active_lease ON background_runs (lease_expires_at) WHERE status IN ('queued', 'running');
CREATE INDEX background_runs_holder ON background_runs (holder) WHERE status IN ('queued', 'running');
CREATE INDEX background_runs_finished_at ON background_runs (finished_at);

-- The run's events as GET …/runs/{id}/events streams them: seq is the SSE id, so a client that
-- reconnects with Last-Event-ID reads exactly the events after it, from any replica. Kept
-- ASTROMESH_RUN_EVENTS_RETENTION_HOURS after the run finished, then pruned.
CREATE TABLE background_run_events (
  run_id uuid NOT NULL REFERENCES background_runs (id) ON DELETE CASCADE,
  seq integer NOT NULL CHECK (seq > 0),
  type text NOT NULL,
  data jsonb NOT NULL,
  at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (run_id, seq)
);
