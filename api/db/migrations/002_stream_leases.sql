-- One row per open WebSocket stream, so the per-org stream limit holds across API replicas
-- (issue 10). The replica holding a lease renews it by heartbeat; a replica that dies without
-- releasing stops renewing, and its leases lapse at expires_at (PostgreSQL's clock, the one
-- every replica shares). Lapsed rows count for nothing and are deleted by whoever passes by.
CREATE TABLE stream_leases (
  id uuid PRIMARY KEY,
  org_id uuid NOT NULL REFERENCES orgs (id) ON DELETE CASCADE,
  -- The API process that holds it: its heartbeat renews all of its leases in one statement.
  holder text NOT NULL,
  acquired_at timestamptz NOT NULL DEFAULT now(),
  expires_at timestamptz NOT NULL
);
CREATE INDEX stream_leases_org ON stream_leases (org_id, expires_at);
CREATE INDEX stream_leases_holder ON stream_leases (holder);
CREATE INDEX stream_leases_expiry ON stream_leases (expires_at);
