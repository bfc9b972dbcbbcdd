import { useCallback, useMemo, useState } from 'preact/hooks';
import { type ScheduleView, schedulesApi } from '../api/schedules-api.ts';
import { ConfirmedButton } from '../components/confirmed-button.tsx';
import { ErrorAlert } from '../components/error-alert.tsx';
import { type Notice, NoticeArea } from '../components/notice-area.tsx';
import { StackedTable } from '../components/stacked-table.tsx';
import { useLoaded } from '../components/use-loaded.ts';
import { useSession } from '../session/session-context.ts';
import { CreateScheduleForm } from './create-schedule-form.tsx';
import { explainOrgError } from './explain-org-error.ts';
import { formatUtcTime } from './format-utc-time.ts';
import { useRowAction } from './use-row-action.ts';

const explainLoadError = (err: unknown) => explainOrgError(err, 'load the schedules');

/**
 * The agent's schedules: each tick starts a background run. Members read them; owners and admins
 * create, pause, resume and delete (the API refuses members with 403, so they get no buttons).
 */
export function SchedulesSection(props: { org: string; agent: string; canManage: boolean; role: string | undefined }) {
  const session = useSession();
  const api = useMemo(() => schedulesApi(session.api, props.org, props.agent), [session, props.org, props.agent]);
  const [notice, setNotice] = useState<Notice | undefined>();

  const listSchedules = useCallback(() => api.list(), [api]);
  const { value: schedules, error: loadError, reload } = useLoaded(listSchedules, explainLoadError);
  const { busyRow, run } = useRowAction({ reload, onNotice: setNotice });

  const act = (schedule: ScheduleView, action: 'pause' | 'resume' | 'delete') =>
    run(schedule.id, `${action} the schedule “${schedule.cron}”`, async () => {
      if (action === 'delete') await api.remove(schedule.id);
      else await api.update(schedule.id, { enabled: action === 'resume' });
      if (action === 'delete') return `Schedule “${schedule.cron}” deleted; its runs so far are kept.`;
      return action === 'pause'
        ? `Schedule “${schedule.cron}” paused: it starts no runs until resumed.`
        : `Schedule “${schedule.cron}” resumed.`;
    });

  return (
    <section class="card integration-section" aria-labelledby="schedules-title">
      <h2 id="schedules-title">Schedules</h2>
      <p class="hint">Each tick starts a background run of the agent, counted like any run.</p>
      <NoticeArea notice={notice} />
      <ErrorAlert text={loadError} />
      {schedules === undefined && !loadError && <p aria-live="polite">Loading schedules…</p>}
      {schedules?.length === 0 && <p class="empty">This agent has no schedules.</p>}
      {schedules && schedules.length > 0 && (
        <StackedTable
          caption={`Schedules of ${props.agent}`}
          columns={['Cron', 'Time zone', 'Input', 'Next run', 'State', 'Last run']}
          hasActions={props.canManage}
        >
          {schedules.map((schedule) => (
            <tr key={schedule.id} aria-busy={busyRow === schedule.id}>
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
                      disabled={busyRow !== undefined}
                      aria-label={`${schedule.enabled ? 'Pause' : 'Resume'} the schedule ${schedule.cron}`}
                      onClick={() => void act(schedule, schedule.enabled ? 'pause' : 'resume')}
                    >
                      {schedule.enabled ? 'Pause' : 'Resume'}
                    </button>
                    <ConfirmedButton
                      label="Delete"
                      accessibleName={`Delete the schedule ${schedule.cron}`}
                      isDisabled={busyRow !== undefined}
                      title={`Delete the schedule “${schedule.cron}”?`}
                      confirmLabel="Delete schedule"
                      onConfirm={() => void act(schedule, 'delete')}
                    >
                      <p>It starts no more runs. The runs it started are kept.</p>
                    </ConfirmedButton>
                  </span>
                </td>
              )}
            </tr>
          ))}
        </StackedTable>
      )}
      {props.role && !props.canManage && (
        <p class="hint">Only owners and admins create and change schedules. Your role here: {props.role}.</p>
      )}
      {props.canManage && (
        <CreateScheduleForm
          api={api}
          onNotice={setNotice}
          onCreated={async (created) => {
            await reload();
            setNotice({
              kind: 'done',
              text: `Schedule “${created.cron}” created: next run ${formatUtcTime(created.next_run_at)}.`,
            });
          }}
        />
      )}
    </section>
  );
}
