import { useCallback, useMemo, useState } from 'preact/hooks';
import { usageApi } from '../api/usage-api.ts';
import { ErrorAlert } from '../components/error-alert.tsx';
import { useLoaded } from '../components/use-loaded.ts';
import { useSession } from '../session/session-context.ts';
import { describeMonthlySpend } from './describe-monthly-spend.ts';
import { describeRateLimit, formatCount } from './describe-rate-limit.ts';
import { explainOrgError } from './explain-org-error.ts';
import { describeCost } from './format-usd.ts';
import type { UsageScale } from './layout-usage-chart.ts';
import { RunsAndTokensTable } from './runs-and-tokens-table.tsx';
import { UsageChart } from './usage-chart.tsx';
import { useIsNarrow } from './use-is-narrow.ts';
import { isManager, useOrgProfile } from './use-org-profile.ts';

const maxDays = 90;
const defaultDays = 30;
const explainLoadError = (err: unknown) => explainOrgError(err, 'load the usage');
const explainBudgetError = (err: unknown) => explainOrgError(err, 'load the monthly budget');

/** A row's cost, when the API prices runs (an older API's report has no cost_usd). */
const costOf = (count: { cost_usd?: number; unpriced_runs?: number }) =>
  typeof count.cost_usd === 'number' ? { usd: count.cost_usd, unpricedRuns: count.unpriced_runs ?? 0 } : undefined;

/**
 * The org's usage: runs per day over 1–90 days against the daily limit, tokens, cost in USD (when
 * the API prices runs), totals, runs per agent, and the rate-limit state (what is left today, when it starts again). Test runs are not
 * counted (the API's rule), so the playground's test chats do not show here.
 */
export function UsagePage(props: { org: string }) {
  const session = useSession();
  const api = useMemo(() => usageApi(session.api, props.org), [session, props.org]);
  const [days, setDays] = useState(defaultDays);
  const [daysInput, setDaysInput] = useState(String(defaultDays));
  const [scale, setScale] = useState<UsageScale>('daily-limit');
  const [periodError, setPeriodError] = useState<string | undefined>();
  const isNarrow = useIsNarrow();
  // When it was loaded goes with the report: "resets in 3 hours" counts from the answer, not from now.
  const loadReport = useCallback(async () => ({ report: await api.report(days), loadedAt: new Date() }), [api, days]);
  const { value, error: loadError, reload } = useLoaded(loadReport, explainLoadError);
  // Budgets are the managers' (the API answers members 403): members see the cost, not the budget.
  const { profile } = useOrgProfile(props.org);
  const loadBudgets = useCallback(() => api.budgets(), [api]);
  const canSeeBudgets = isManager(profile);
  const budgets = useLoaded(loadBudgets, explainBudgetError, { isEnabled: canSeeBudgets });
  const spend = budgets.value ? describeMonthlySpend(budgets.value.monthly_spend) : undefined;
  const report = value?.report;
  // A period typed wrong is said over a load error: it is what the person just did.
  const error = periodError ?? loadError ?? budgets.error;

  function choosePeriod(event: Event) {
    event.preventDefault();
    const chosen = /^\d{1,2}$/.test(daysInput.trim()) ? Number(daysInput) : Number.NaN;
    if (!(chosen >= 1 && chosen <= maxDays)) {
      setPeriodError(`The period must be a whole number of days from 1 to ${maxDays}.`);
      return;
    }
    setPeriodError(undefined);
    setDays(chosen);
  }

  const rateLimit = value
    ? describeRateLimit({
        dailyLimit: value.report.daily_limit,
        remainingToday: value.report.remaining_today,
        now: value.loadedAt,
      })
    : undefined;

  return (
    <section aria-labelledby="usage-title" class="org-page">
      <div class="page-head">
        <h1 id="usage-title">Usage</h1>
        <button type="button" onClick={() => void Promise.all([reload(), canSeeBudgets && budgets.reload()])}>
          Refresh
        </button>
      </div>
      <ErrorAlert text={error} />
      {rateLimit && (
        <div class={rateLimit.isExhausted ? 'card rate-limit exhausted' : 'card rate-limit'}>
          <h2>Today</h2>
          <p id="rate-limit-left">{rateLimit.left}</p>
          <p class="hint">{rateLimit.reset}</p>
        </div>
      )}
      {spend && (
        <div class={spend.isExhausted ? 'card rate-limit exhausted' : 'card rate-limit'}>
          <h2>This month</h2>
          <p id="monthly-spend">{spend.text}</p>
        </div>
      )}
      {/* noValidate: the page's own check says what is wrong in a role="alert", as every other error here. */}
      <form class="card org-form period-form" onSubmit={choosePeriod} aria-label="Period and scale" noValidate>
        <div class="fields">
          <div class="field">
            <label for="usage-days">Period (days, 1–{maxDays})</label>
            <div class="inline">
              <input
                id="usage-days"
                type="number"
                inputMode="numeric"
                min={1}
                max={maxDays}
                step={1}
                required
                value={daysInput}
                aria-invalid={periodError !== undefined || undefined}
                onInput={(e) => setDaysInput(e.currentTarget.value)}
              />
              <button type="submit">Show</button>
            </div>
          </div>
          <div class="field">
            <label for="usage-scale">Chart scale</label>
            <select id="usage-scale" value={scale} onChange={(e) => setScale(e.currentTarget.value as UsageScale)}>
              <option value="daily-limit">Up to the daily limit</option>
              <option value="busiest-day">Up to the busiest day</option>
            </select>
          </div>
        </div>
      </form>
      {report === undefined && !error && <p aria-live="polite">Loading usage…</p>}
      {report && (
        <>
          <dl class="totals" aria-label={`Totals of the last ${report.period_days} days`}>
            <div>
              <dt>Runs</dt>
              <dd id="total-runs">{formatCount(report.total_requests)}</dd>
            </div>
            <div>
              <dt>Tokens</dt>
              <dd id="total-tokens">{formatCount(report.total_tokens)}</dd>
            </div>
            {typeof report.total_cost_usd === 'number' && (
              <div>
                <dt>Cost</dt>
                <dd id="total-cost">{describeCost(report.total_cost_usd, report.unpriced_runs ?? 0)}</dd>
              </div>
            )}
            <div>
              <dt>Daily limit</dt>
              <dd>{formatCount(report.daily_limit)} runs</dd>
            </div>
          </dl>
          <figure class="card chart-card">
            <UsageChart
              days={report.by_day}
              dailyLimit={report.daily_limit}
              scale={scale}
              width={isNarrow ? 300 : 640}
              height={isNarrow ? 200 : 260}
            />
            <figcaption class="hint">
              Bars: runs per UTC day (test runs are not counted); line: the daily limit. Today is the darker bar.
            </figcaption>
            <details class="day-table">
              <summary>Runs and tokens per day, as a table</summary>
              <RunsAndTokensTable
                class="org-table compact"
                caption={`Runs and tokens per day, last ${report.period_days} days`}
                firstColumn="Day (UTC)"
                rows={[...report.by_day].reverse().map((day) => ({
                  key: day.date,
                  label: day.date,
                  requests: day.requests,
                  tokens: day.tokens,
                  cost: costOf(day),
                }))}
              />
            </details>
          </figure>
          <div class="card">
            <h2 id="by-agent-title">Per agent</h2>
            {report.by_agent.length === 0 ? (
              <p class="empty">No runs in this period.</p>
            ) : (
              <RunsAndTokensTable
                class="org-table"
                labelledBy="by-agent-title"
                firstColumn="Agent"
                rows={report.by_agent.map((row) => ({
                  key: row.agent,
                  label: <code>{row.agent}</code>,
                  requests: row.requests,
                  tokens: row.tokens,
                  cost: costOf(row),
                }))}
              />
            )}
          </div>
        </>
      )}
    </section>
  );
}
