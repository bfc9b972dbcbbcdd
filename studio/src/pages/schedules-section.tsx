import { useCallback, useMemo, useState } from 'preact/hooks';
import { ApiError } from '../api/api-error.ts';
import { type ScheduleView, schedulesApi } from '../api/schedules-api.ts';
import { ConfirmDialog } from '../components/confirm-dialog.tsx';
import { ErrorAlert } from '../components/error-alert.tsx';
import { type Notice, NoticeArea } from '../components/notice-area.tsx';
import { useLoaded } from '../components/use-loaded.ts';
import { useSession } from '../session/session-context.ts';
import { explainOrgError } from './explain-org-error.ts';
import { formatUtcTime } from './format-utc-time.ts';

type Field = 'cron' | 'timezone' | 'query';
const explainLoadError = (err: unknown) => explainOrgError(err, 'load the schedules');

// The API names input.query for the query of the run a tick starts (the body of POST …/run).
function formFieldOf(err: unknown): Field | undefined {
  const field = err instanceof ApiError ? err.field : undefined;
  if (field === 'cron' || field === 'timezone') return field;
  return field?.startsWith('input') ? 'query' : undefined;
}

/**
 * The agent's schedules: each tick starts a background run. Members read them; owners and admins
 * create, pause, resume and delete (the API refuses members with 403, so they get no buttons).
 * The form checks nothing itself: a wrong cron or time zone is the API's 400, shown at its field.
 */
export function SchedulesSection(props: { org: string; agent: string; canManage: boolean; role: string | undefined }) {
  const session = useSession();
  const api = useMemo(() => schedulesApi(session.api, props.org, props.agent), [session, props.org, props.agent]);
  const [notice, setNotice] = useState<Notice | undefined>();
  const [cron, setCron] = useState('');
  const [timezone, setTimezone] = useState('UTC');
  const [query, setQuery] = useState('');
  const [wrong, setWrong] = useState<{ field: Field; text: string } | undefined>();
  const [isCreating, setCreating] = useState(false);
  const [busyId, setBusyId] = useState<string | undefined>();
  const [toDelete, setToDelete] = useState<ScheduleView | undefined>();

  const listSchedules = useCallback(() => api.list(), [api]);
  const { value: schedules, error: loadError, reload } = useLoaded(listSchedules, explainLoadError);

  async function create(event: Event) {
    event.preventDefault();
    setCreating(true);
    setNotice(undefined);
    setWrong(undefined);
    try {
      const created = await api.create({ cron: cron.trim(), timezone: timezone.trim(), input: { query } });
      setCron('');
      setQuery('');
      await reload();
      setNotice({
        kind: 'done',
        text: `Schedule “${created.cron}” created: next run ${formatUtcTime(created.next_run_at)}.`,
      });
    } catch (err) {
      const text = explainOrgError(err, 'create the schedule');
      const field = formFieldOf(err);
      if (field) setWrong({ field, text });
      setNotice({ kind: 'error', text });
    } finally {
      setCreating(false);
    }
  }

  async function act(schedule: ScheduleView, action: 'pause' | 'resume' | 'delete') {
    setBusyId(schedule.id);
    setNotice(undefined);
    let outcome: Notice;
    try {
      if (action === 'delete') await api.remove(schedule.id);
      else await api.update(schedule.id, { enabled: action === 'resume' });
      outcome = {
        kind: 'done',
        text:
          action === 'delete'
            ? `Schedule “${schedule.cron}” deleted; its runs so far are kept.`
            : action === 'pause'
              ? `Schedule “${schedule.cron}” paused: it starts no runs until resumed.`
              : `Schedule “${schedule.cron}” resumed.`,
      };
    } catch (err) {
      outcome = { kind: 'error', text: explainOrgError(err, `${action} the schedule “${schedule.cron}”`) };
    }
    await reload();
    setBusyId(undefined);
    setNotice(outcome);
  }

  const fieldProps = (field: Field) => ({
    'aria-invalid': wrong?.field === field || undefined,
    'aria-describedby': wrong?.field === field ? `schedule-${field}-error` : undefined,
  });
  const fieldError = (field: Field) =>
    wrong?.field === field ? (
      <p id={`schedule-${field}-error`} class="field-error">
        {wrong.text}
      </p>
    ) : null;

  return (
    <section class="card integration-section" aria-labelledby="schedules-title">
      <h2 id="schedules-title">Schedules</h2>
      <p class="hint">Each tick starts a background run of the agent, counted like any run.</p>
      <NoticeArea notice={notice} />
      <ErrorAlert text={loadError} />
      {schedules === undefined && !loadError && <p aria-live="polite">Loading schedules…</p>}
      {schedules?.length === 0 && <p class="empty">This agent has no schedules.</p>}
      {schedules && schedules.length > 0 && (
        <table class="org-table stacked">
          <caption class="visually-hidden">Schedules of {props.agent}</caption>
          <thead>
            <tr>
              <th scope="col">Cron</th>
              <th scope="col">Time zone</th>
              <th scope="col">Input</th>
              <th scope="col">Next run</th>
              <th scope="col">State</th>
              <th scope="col">Last run</th>
              {props.canManage && (
                <th scope="col">
                  <span class="visually-hidden">Actions</span>
                </th>
              )}
            </tr>
          </thead>
          <tbody>
            {schedules.map((schedule) => (
              <tr key={schedule.id} aria-busy={busyId === schedule.id}>
                <td data-label="Cron">
                  <code>{schedule.cron}</code>
                </td>
                <td data-label="Time zone">{schedule.timezone}</td>
                <td data-label="Input">
                  <span class="cell-text">{String(schedule.input.query ?? '')}</span>
                </td>
                <td data-label="Next run">{schedule.enabled ? formatUtcTime(schedule.next_run_at) : '—'}</td>
                <td data-label="State">
                  <span class={`badge ${schedule.enabled ? 'badge-deployed' : 'badge-paused'}`}>
                    {schedule.enabled ? 'Enabled' : 'Paused'}
                  </span>
                </td>
                <td data-label="Last run">
                  {schedule.last_run
                    ? `${schedule.last_run.status}${schedule.last_run.error ? `: ${schedule.last_run.error.message}` : ''}`
                    : 'Never'}
                </td>
                {props.canManage && (
                  <td class="actions">
                    <span class="row-actions">
                      <button
                        type="button"
                        disabled={busyId !== undefined}
                        aria-label={`${schedule.enabled ? 'Pause' : 'Resume'} the schedule ${schedule.cron}`}
                        onClick={() => void act(schedule, schedule.enabled ? 'pause' : 'resume')}
                      >
                        {schedule.enabled ? 'Pause' : 'Resume'}
                      </button>
                      <button
                        type="button"
                        class="danger"
                        disabled={busyId !== undefined}
                        aria-label={`Delete the schedule ${schedule.cron}`}
                        onClick={() => setToDelete(schedule)}
                      >
                        Delete
                      </button>
                    </span>
                  </td>
                )}
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {props.role && !props.canManage && (
        <p class="hint">Only owners and admins create and change schedules. Your role here: {props.role}.</p>
      )}
      {props.canManage && (
        <form class="org-form" onSubmit={create} aria-labelledby="create-schedule-title">
          <h3 id="create-schedule-title">Create a schedule</h3>
          <div class="fields">
            <div class="field">
              <label for="schedule-cron">Cron (minute hour day month weekday)</label>
              <input
                id="schedule-cron"
                type="text"
                required
                maxLength={200}
                autocomplete="off"
                spellcheck={false}
                placeholder="0 9 * * 1-5"
                value={cron}
                {...fieldProps('cron')}
                onInput={(e) => setCron(e.currentTarget.value)}
              />
              {fieldError('cron')}
            </div>
            <div class="field">
              <label for="schedule-timezone">Time zone</label>
              <input
                id="schedule-timezone"
                type="text"
                required
                maxLength={64}
                autocomplete="off"
                spellcheck={false}
                placeholder="UTC, Europe/Paris…"
                value={timezone}
                {...fieldProps('timezone')}
                onInput={(e) => setTimezone(e.currentTarget.value)}
              />
              {fieldError('timezone')}
            </div>
            <div class="field field-wide">
              <label for="schedule-query">Query each tick runs</label>
              <input
                id="schedule-query"
                type="text"
                required
                autocomplete="off"
                placeholder="e.g. Summarise yesterday's orders"
                value={query}
                {...fieldProps('query')}
                onInput={(e) => setQuery(e.currentTarget.value)}
              />
              {fieldError('query')}
            </div>
          </div>
          <button type="submit" class="primary" disabled={isCreating}>
            {isCreating ? 'Creating…' : 'Create schedule'}
          </button>
        </form>
      )}
      {toDelete && (
        <ConfirmDialog
          title={`Delete the schedule “${toDelete.cron}”?`}
          confirmLabel="Delete schedule"
          onCancel={() => setToDelete(undefined)}
          onConfirm={() => {
            const schedule = toDelete;
            setToDelete(undefined);
            void act(schedule, 'delete');
          }}
        >
          <p>It starts no more runs. The runs it started are kept.</p>
        </ConfirmDialog>
      )}
    </section>
  );
}
