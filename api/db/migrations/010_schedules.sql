-- Schedules (issue 16, item 5): a cron expression in an IANA time zone that starts a background run of
-- its agent with a fixed input at each tick. Every API replica polls for due schedules; a tick is
-- claimed by moving next_run_at on, `WHERE next_run_at = <the tick>`, so exactly one replica's update
-- matches and only that one starts the run. The tick's row (primary key: schedule and tick time)
-- is written in the same statement, so no tick can be recorded, or run, twice.
CREATE TABLE schedules (
  id uuid PRIMARY KEY,
  org_id uuid NOT NULL REFERENCES orgs (id) ON DELETE CASCADE,
  -- Deleting the agent deletes its schedules.
  agent_id uuid NOT NULL REFERENCES agents (id) ON DELETE CASCADE,
  cron text NOT NULL,
  timezone text NOT NULL,
  -- The body of POST …/run each tick's run is given.
  input jsonb NOT NULL,
  enabled boolean NOT NULL,
  -- The next tick to run; null while disabled.
  next_run_at timestamptz,
  -- Ticks missed while no replica ran (or the schedule fell behind) and not caught up (README: "Schedules").
  skipped_ticks bigint NOT NULL DEFAULT 0,
  -- Whose authority the runs start under (the creator), for the record only: runs count against the org.
  created_by uuid REFERENCES users (id) ON DELETE SET NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX schedules_agent ON schedules (agent_id, created_at);
CREATE INDEX schedules_org ON schedules (org_id);
CREATE INDEX schedules_due ON schedules (next_run_at) WHERE enabled;

-- One row per tick that ran or was refused: the claim's proof and the schedule's last_run.
CREATE TABLE schedule_ticks (
  schedule_id uuid NOT NULL REFERENCES schedules (id) ON DELETE CASCADE,
  tick_at timestamptz NOT NULL,
  -- claimed (its run is being started), started (run_id is set) or refused (error says why).
  status text NOT NULL CHECK (status IN ('claimed', 'started', 'refused')),
  -- No foreign key: a run is pruned after 30 days on its own schedule.
  run_id uuid,
  error jsonb,
  -- Missed ticks skipped when this one was claimed.
  skipped_before bigint NOT NULL DEFAULT 0,
  claimed_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (schedule_id, tick_at)
);
CREATE INDEX schedule_ticks_claimed_at ON schedule_ticks (claimed_at);
