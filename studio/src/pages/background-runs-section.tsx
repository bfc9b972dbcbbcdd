import { useCallback, useEffect, useMemo, useState } from 'preact/hooks';
import { type BackgroundRunView, backgroundRunsApi } from '../api/background-runs-api.ts';
import { ErrorAlert } from '../components/error-alert.tsx';
import { type Notice, NoticeArea } from '../components/notice-area.tsx';
import { StackedTable } from '../components/stacked-table.tsx';
import { useLoaded } from '../components/use-loaded.ts';
import { useSession } from '../session/session-context.ts';
import { explainOrgError } from './explain-org-error.ts';
import { formatUtcTime } from './format-utc-time.ts';

const explainLoadError = (err: unknown) => explainOrgError(err, 'load the background runs');
const statusLabels: Record<BackgroundRunView['status'], string> = {
  queued: 'Queued',
  running: 'Running',
  succeeded: 'Succeeded',
  failed: 'Failed',
  cancelled: 'Cancelled',
};
const originLabels: Record<BackgroundRunView['origin']['kind'], string> = {
  api: 'API',
  schedule: 'Schedule',
  webhook: 'Webhook',
};
// How often the list is asked again while a run is queued or running: the list is small (20 runs),
// and a person waiting for a result should see it within a second or two.
const refreshWhileActiveMs = 1_500;

const isActive = (run: BackgroundRunView) => run.status === 'queued' || run.status === 'running';

/**
 * The agent's latest background runs (from the API, schedules and webhooks), newest first, with
 * each one's answer or error behind an expander. Any member may cancel a queued or running run,
 * as the API allows. While one is still going the list refreshes itself until none is.
 */
export function BackgroundRunsSection(props: { org: string; agent: string }) {
  const session = useSession();
  const api = useMemo(() => backgroundRunsApi(session.api, props.org, props.agent), [session, props.org, props.agent]);
  const [notice, setNotice] = useState<Notice | undefined>();
  const [cancellingId, setCancellingId] = useState<string | undefined>();

  const listRuns = useCallback(() => api.listRecent(), [api]);
  const { value: runs, error: loadError, reload } = useLoaded(listRuns, explainLoadError);

  const hasActiveRun = runs?.some(isActive) ?? false;
  useEffect(() => {
    if (!hasActiveRun) return;
    const timer = setTimeout(() => void reload(), refreshWhileActiveMs);
    return () => clearTimeout(timer);
  }, [runs, hasActiveRun, reload]);

  async function cancel(run: BackgroundRunView) {
    setCancellingId(run.id);
    setNotice(undefined);
    let outcome: Notice;
    try {
      const answer = await api.cancel(run.id);
      outcome = {
        kind: 'done',
        text:
          answer.status === 'cancelled'
            ? 'The run is cancelled.'
            : isActive(answer)
              ? 'Cancel requested: the run ends as cancelled within seconds.'
              : `The run had already ended: ${statusLabels[answer.status].toLowerCase()}.`,
      };
    } catch (err) {
      outcome = { kind: 'error', text: explainOrgError(err, 'cancel the run') };
    }
    await reload();
    setCancellingId(undefined);
    setNotice(outcome);
  }

  return (
    <section class="card integration-section" aria-labelledby="runs-title">
      <div class="section-head">
        <h2 id="runs-title">Recent background runs</h2>
        <button type="button" onClick={() => void reload()}>
          Refresh
        </button>
      </div>
      <NoticeArea notice={notice} />
      <ErrorAlert text={loadError} />
      {runs === undefined && !loadError && <p aria-live="polite">Loading background runs…</p>}
      {runs?.length === 0 && (
        <p class="empty">No background runs yet: start one with the curl snippet above, a schedule or a webhook.</p>
      )}
      {runs && runs.length > 0 && (
        <StackedTable
          caption={`Recent background runs of ${props.agent}`}
          columns={['State', 'Started by', 'Created', 'Finished', 'Outcome']}
          hasActions={true}
          class="runs-table"
        >
          {runs.map((run) => (
            <tr key={run.id} data-run-id={run.id} aria-busy={isActive(run)}>
              <td data-label="State">
                <span class={`badge run-${run.status}`}>{statusLabels[run.status]}</span>
                {run.cancel_requested && isActive(run) && <span class="hint"> (cancelling)</span>}
              </td>
              <td data-label="Started by">{originLabels[run.origin.kind]}</td>
              <td data-label="Created">{formatUtcTime(run.created_at)}</td>
              <td data-label="Finished">{formatUtcTime(run.finished_at)}</td>
              <td data-label="Outcome" class="outcome">
                <RunOutcome run={run} />
              </td>
              <td class="actions">
                {isActive(run) && !run.cancel_requested && (
                  <button
                    type="button"
                    class="danger"
                    disabled={cancellingId !== undefined}
                    aria-label={`Cancel the run created ${formatUtcTime(run.created_at)}`}
                    onClick={() => void cancel(run)}
                  >
                    {cancellingId === run.id ? 'Cancelling…' : 'Cancel'}
                  </button>
                )}
              </td>
            </tr>
          ))}
        </StackedTable>
      )}
    </section>
  );
}

function RunOutcome(props: { run: BackgroundRunView }) {
  const { run } = props;
  if (run.result)
    return (
      <details>
        <summary>Answer</summary>
        <p class="run-answer">{run.result.answer}</p>
        <p class="hint">
          {run.result.model}, {run.result.tokens_used} tokens, session <code>{run.result.session_id}</code>
        </p>
      </details>
    );
  if (run.error)
    return (
      <details>
        <summary>Error</summary>
        <p class="run-answer">
          <code>{run.error.code}</code>: {run.error.message}
        </p>
      </details>
    );
  // A run cancelled before it answered has no error: the state says it all.
  if (run.status === 'cancelled') return <span class="hint">Cancelled before it answered.</span>;
  return <span class="hint">—</span>;
}
