-- Issue 15: budgets. Owners and admins set a monthly spend limit per org and daily run and token
-- limits per agent and per API key; NULL is "no limit". Each limit lives on the row it limits, so
-- deleting an agent or revoking a key takes its limit along.
ALTER TABLE orgs ADD COLUMN monthly_spend_limit_nano_usd bigint CHECK (monthly_spend_limit_nano_usd >= 0);
ALTER TABLE agents
  ADD COLUMN daily_run_limit integer CHECK (daily_run_limit >= 0),
  ADD COLUMN daily_token_limit bigint CHECK (daily_token_limit >= 0);
ALTER TABLE api_keys
  ADD COLUMN daily_run_limit integer CHECK (daily_run_limit >= 0),
  ADD COLUMN daily_token_limit bigint CHECK (daily_token_limit >= 0);

-- Which API key a run came with (NULL: a signed-in user): the key's daily tokens are counted from it.
ALTER TABLE usage_records ADD COLUMN api_key_id text;

-- What each org (per month: period = the month's first day), agent and API key (per UTC day) has
-- used. `runs` is the run counter of an agent or key with a daily run limit: taken when a run
-- starts, under the row's lock, so the limit is exact under any concurrency (seeded from the
-- day's usage records when a limit is set: see setDailyLimits). Tokens and cost are added when a
-- run's usage record is written, limit or not, so a token limit set at noon counts the morning.
CREATE TABLE budget_counters (
  org_id uuid NOT NULL REFERENCES orgs (id) ON DELETE CASCADE,
  scope text NOT NULL CHECK (scope IN ('org', 'agent', 'api_key')),
  -- '' for the org, the agent's name, or the API key's id.
  target text NOT NULL,
  period date NOT NULL,
  runs integer NOT NULL DEFAULT 0,
  tokens bigint NOT NULL DEFAULT 0,
  cost_nano_usd bigint NOT NULL DEFAULT 0,
  PRIMARY KEY (org_id, scope, target, period)
);

-- This month's spend and today's agent tokens, from the usage written before this migration.
INSERT INTO budget_counters (org_id, scope, target, period, tokens, cost_nano_usd)
SELECT org_id, 'org', '', date_trunc('month', created_at AT TIME ZONE 'UTC')::date,
       sum(tokens_in + tokens_out), coalesce(sum(cost_nano_usd), 0)
FROM usage_records
WHERE outcome <> 'not_served' AND created_at >= date_trunc('month', now() AT TIME ZONE 'UTC') AT TIME ZONE 'UTC'
GROUP BY 1, 4;
INSERT INTO budget_counters (org_id, scope, target, period, tokens, cost_nano_usd)
SELECT org_id, 'agent', agent_name, (created_at AT TIME ZONE 'UTC')::date,
       sum(tokens_in + tokens_out), coalesce(sum(cost_nano_usd), 0)
FROM usage_records
WHERE outcome <> 'not_served' AND created_at >= date_trunc('day', now() AT TIME ZONE 'UTC') AT TIME ZONE 'UTC'
GROUP BY 1, 3, 4;

-- What `scope`/`target` used in `p_period`: (runs, tokens, cost), zeros when nothing was counted.
CREATE FUNCTION budget_used(p_org uuid, p_scope text, p_target text, p_period date)
RETURNS TABLE (runs integer, tokens bigint, cost_nano_usd bigint)
LANGUAGE sql STABLE AS $$
  SELECT coalesce(max(c.runs), 0), coalesce(max(c.tokens), 0), coalesce(max(c.cost_nano_usd), 0)
  FROM budget_counters c
  WHERE c.org_id = p_org AND c.scope = p_scope AND c.target = p_target AND c.period = p_period
$$;

-- One run taken from the run counter of `scope`/`target` on `p_day`, under the row's lock, unless
-- it is at `p_limit`; true when taken.
CREATE FUNCTION take_counted_run(p_org uuid, p_scope text, p_target text, p_day date, p_limit integer)
RETURNS boolean
LANGUAGE plpgsql AS $$
DECLARE
  v_runs integer;
BEGIN
  IF p_limit <= 0 THEN
    RETURN false;
  END IF;
  INSERT INTO budget_counters AS c (org_id, scope, target, period, runs) VALUES (p_org, p_scope, p_target, p_day, 1)
  ON CONFLICT (org_id, scope, target, period) DO UPDATE SET runs = c.runs + 1 WHERE c.runs < p_limit
  RETURNING c.runs INTO v_runs;
  RETURN v_runs IS NOT NULL;
END;
$$;

-- Gives back a run take_counted_run took (in the same transaction, or a run not served later).
CREATE FUNCTION give_back_counted_run(p_org uuid, p_scope text, p_target text, p_day date)
RETURNS void
LANGUAGE sql AS $$
  UPDATE budget_counters SET runs = runs - 1
  WHERE org_id = p_org AND scope = p_scope AND target = p_target AND period = p_day AND runs > 0
$$;

-- One run of `p_day` taken for the org's agent `p_agent`, called with `p_key` (NULL: not an API
-- key), in one round trip. Nothing is taken when the agent does not exist or is not deployed (no
-- row), or when a limit refuses the run (`refused` names it, with the limit and what is used).
-- Spend and tokens are known only once runs end: a run starts while the settled total is under
-- its limit. Run counters are taken in one fixed order (agent, key, org: the org's, the hottest,
-- is held the shortest), each under its row's lock, and given back in the same transaction when a
-- later one refuses. An agent's or key's counter is taken only when it has a run limit
-- (agent_counted, key_counted): a run without limits pays for the org's counter alone.
CREATE FUNCTION reserve_run(p_org uuid, p_agent text, p_key text, p_day date, p_org_daily_limit integer)
RETURNS TABLE (
  reserved_runs integer, agent_counted boolean, key_counted boolean,
  refused text, refused_limit bigint, refused_used bigint)
LANGUAGE plpgsql AS $$
DECLARE
  v_status text;
  v_spend_limit bigint;
  v_agent_runs integer;
  v_agent_tokens bigint;
  v_key_runs integer;
  v_key_tokens bigint;
  v_used bigint;
  v_org_runs integer;
BEGIN
  -- The commit does not wait for its WAL flush: see reserveRunOfAgent (api/stores/usage-store.ts).
  PERFORM set_config('synchronous_commit', 'off', true);
  SELECT a.status, a.daily_run_limit, a.daily_token_limit INTO v_status, v_agent_runs, v_agent_tokens
  FROM agents a WHERE a.org_id = p_org AND a.name = p_agent;
  IF v_status IS DISTINCT FROM 'deployed' THEN
    RETURN;
  END IF;
  SELECT o.monthly_spend_limit_nano_usd INTO v_spend_limit FROM orgs o WHERE o.id = p_org;
  IF p_key IS NOT NULL THEN
    SELECT k.daily_run_limit, k.daily_token_limit INTO v_key_runs, v_key_tokens
    FROM api_keys k WHERE k.id = p_key AND k.org_id = p_org;
  END IF;

  IF v_spend_limit IS NOT NULL THEN
    SELECT u.cost_nano_usd INTO v_used FROM budget_used(p_org, 'org', '', date_trunc('month', p_day)::date) u;
    IF v_used >= v_spend_limit THEN
      RETURN QUERY SELECT NULL::integer, false, false, 'org.monthly_spend'::text, v_spend_limit, v_used;
      RETURN;
    END IF;
  END IF;
  IF v_agent_tokens IS NOT NULL THEN
    SELECT u.tokens INTO v_used FROM budget_used(p_org, 'agent', p_agent, p_day) u;
    IF v_used >= v_agent_tokens THEN
      RETURN QUERY SELECT NULL::integer, false, false, 'agent.daily_tokens'::text, v_agent_tokens, v_used;
      RETURN;
    END IF;
  END IF;
  IF v_key_tokens IS NOT NULL THEN
    SELECT u.tokens INTO v_used FROM budget_used(p_org, 'api_key', p_key, p_day) u;
    IF v_used >= v_key_tokens THEN
      RETURN QUERY SELECT NULL::integer, false, false, 'api_key.daily_tokens'::text, v_key_tokens, v_used;
      RETURN;
    END IF;
  END IF;

  IF v_agent_runs IS NOT NULL AND NOT take_counted_run(p_org, 'agent', p_agent, p_day, v_agent_runs) THEN
    RETURN QUERY SELECT NULL::integer, false, false, 'agent.daily_runs'::text, v_agent_runs::bigint, v_agent_runs::bigint;
    RETURN;
  END IF;
  IF v_key_runs IS NOT NULL AND NOT take_counted_run(p_org, 'api_key', p_key, p_day, v_key_runs) THEN
    IF v_agent_runs IS NOT NULL THEN
      PERFORM give_back_counted_run(p_org, 'agent', p_agent, p_day);
    END IF;
    RETURN QUERY SELECT NULL::integer, false, false, 'api_key.daily_runs'::text, v_key_runs::bigint, v_key_runs::bigint;
    RETURN;
  END IF;

  INSERT INTO daily_run_counters AS c (org_id, day, runs) VALUES (p_org, p_day, 1)
  ON CONFLICT (org_id, day) DO UPDATE SET runs = c.runs + 1 WHERE c.runs < p_org_daily_limit
  RETURNING c.runs INTO v_org_runs;
  IF v_org_runs IS NULL THEN
    IF v_agent_runs IS NOT NULL THEN
      PERFORM give_back_counted_run(p_org, 'agent', p_agent, p_day);
    END IF;
    IF v_key_runs IS NOT NULL THEN
      PERFORM give_back_counted_run(p_org, 'api_key', p_key, p_day);
    END IF;
    RETURN QUERY SELECT NULL::integer, false, false, 'org.daily_runs'::text, p_org_daily_limit::bigint, p_org_daily_limit::bigint;
    RETURN;
  END IF;

  RETURN QUERY SELECT v_org_runs, v_agent_runs IS NOT NULL, v_key_runs IS NOT NULL, NULL::text, NULL::bigint, NULL::bigint;
END;
$$;
