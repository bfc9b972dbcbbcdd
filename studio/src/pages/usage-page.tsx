import { useCallback, useEffect, useMemo, useState } from 'preact/hooks';
import { type UsageReport, usageApi } from '../api/usage-api.ts';
import { useSession } from '../session/session-context.ts';
import { describeRateLimit, formatCount } from './describe-rate-limit.ts';
import { explainOrgError } from './explain-org-error.ts';
import type { UsageScale } from './layout-usage-chart.ts';
import { UsageChart } from './usage-chart.tsx';
import { useIsNarrow } from './use-is-narrow.ts';

const maxDays = 90;
const defaultDays = 30;

/**
 * The org's usage: runs per day over 1–90 days against the daily limit, tokens, totals, runs per
 * agent, and the rate-limit state (what is left today, when it starts again). Test runs are not
 * counted (the API's rule), so the playground's test chats do not show here.
 */
export function UsagePage(props: { org: string }) {
  const session = useSession();
  const api = useMemo(() => usageApi(session.api, props.org), [session, props.org]);
  const [days, setDays] = useState(defaultDays);
  const [daysInput, setDaysInput] = useState(String(defaultDays));
  const [scale, setScale] = useState<UsageScale>('daily-limit');
  const [report, setReport] = useState<UsageReport | undefined>();
  const [loadedAt, setLoadedAt] = useState(() => new Date());
  const [error, setError] = useState<string | undefined>();
  const [isPeriodWrong, setPeriodWrong] = useState(false);
  const isNarrow = useIsNarrow();

  const reload = useCallback(async () => {
    try {
      setReport(await api.report(days));
      setLoadedAt(new Date());
      setError(undefined);
    } catch (err) {
      setError(explainOrgError(err, 'load the usage'));
    }
  }, [api, days]);

  useEffect(() => {
    void reload();
  }, [reload]);

  function choosePeriod(event: Event) {
    event.preventDefault();
    const chosen = /^\d{1,2}$/.test(daysInput.trim()) ? Number(daysInput) : Number.NaN;
    if (!(chosen >= 1 && chosen <= maxDays)) {
      setPeriodWrong(true);
      setError(`The period must be a whole number of days from 1 to ${maxDays}.`);
      return;
    }
    setPeriodWrong(false);
    setError(undefined);
    setDays(chosen);
  }

  const rateLimit = report
    ? describeRateLimit({ dailyLimit: report.daily_limit, remainingToday: report.remaining_today, now: loadedAt })
    : undefined;

  return (
    <section aria-labelledby="usage-title" class="org-page">
      <div class="page-head">
        <h1 id="usage-title">Usage</h1>
        <button type="button" onClick={() => void reload()}>
          Refresh
        </button>
      </div>
      {error && (
        <p class="error" role="alert">
          {error}
        </p>
      )}
      {rateLimit && (
        <div class={rateLimit.isExhausted ? 'card rate-limit exhausted' : 'card rate-limit'}>
          <h2>Today</h2>
          <p id="rate-limit-left">{rateLimit.left}</p>
          <p class="hint">{rateLimit.reset}</p>
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
                aria-invalid={isPeriodWrong || undefined}
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
              <table class="org-table compact">
                <caption class="visually-hidden">Runs and tokens per day, last {report.period_days} days</caption>
                <thead>
                  <tr>
                    <th scope="col">Day (UTC)</th>
                    <th scope="col" class="num">
                      Runs
                    </th>
                    <th scope="col" class="num">
                      Tokens
                    </th>
                  </tr>
                </thead>
                <tbody>
                  {[...report.by_day].reverse().map((day) => (
                    <tr key={day.date}>
                      <th scope="row">{day.date}</th>
                      <td class="num">{formatCount(day.requests)}</td>
                      <td class="num">{formatCount(day.tokens)}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </details>
          </figure>
          <div class="card">
            <h2 id="by-agent-title">Per agent</h2>
            {report.by_agent.length === 0 ? (
              <p class="empty">No runs in this period.</p>
            ) : (
              <table class="org-table" aria-labelledby="by-agent-title">
                <thead>
                  <tr>
                    <th scope="col">Agent</th>
                    <th scope="col" class="num">
                      Runs
                    </th>
                    <th scope="col" class="num">
                      Tokens
                    </th>
                  </tr>
                </thead>
                <tbody>
                  {report.by_agent.map((row) => (
                    <tr key={row.agent}>
                      <th scope="row">
                        <code>{row.agent}</code>
                      </th>
                      <td class="num">{formatCount(row.requests)}</td>
                      <td class="num">{formatCount(row.tokens)}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            )}
          </div>
        </>
      )}
    </section>
  );
}
