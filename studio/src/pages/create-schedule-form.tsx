import { useState } from 'preact/hooks';
import { ApiError } from '../api/api-error.ts';
import type { SchedulesApi, ScheduleView } from '../api/schedules-api.ts';
import type { Notice } from '../components/notice-area.tsx';
import { useWrongField } from '../components/use-wrong-field.tsx';
import { explainOrgError } from './explain-org-error.ts';

type Field = 'cron' | 'timezone' | 'query';

// The API names input.query for the query of the run a tick starts (the body of POST …/run).
function formFieldOf(err: unknown): Field | undefined {
  const field = err instanceof ApiError ? err.field : undefined;
  if (field === 'cron' || field === 'timezone') return field;
  return field?.startsWith('input') ? 'query' : undefined;
}

/**
 * Creates a schedule of the agent. It checks nothing itself: a wrong cron or time zone is the
 * API's 400, which names the field; the words go to the page's notices and beside that field.
 */
export function CreateScheduleForm(props: {
  api: SchedulesApi;
  onNotice: (notice: Notice | undefined) => void;
  onCreated: (schedule: ScheduleView) => Promise<void>;
}) {
  const [cron, setCron] = useState('');
  const [timezone, setTimezone] = useState('UTC');
  const [query, setQuery] = useState('');
  const wrong = useWrongField<Field>('schedule');
  const [isCreating, setCreating] = useState(false);

  async function create(event: Event) {
    event.preventDefault();
    setCreating(true);
    props.onNotice(undefined);
    wrong.setWrong(undefined);
    try {
      const created = await props.api.create({ cron: cron.trim(), timezone: timezone.trim(), input: { query } });
      setCron('');
      setQuery('');
      await props.onCreated(created);
    } catch (err) {
      const text = explainOrgError(err, 'create the schedule');
      wrong.setWrong(formFieldOf(err), text);
      props.onNotice({ kind: 'error', text });
    } finally {
      setCreating(false);
    }
  }

  return (
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
            {...wrong.attributes('cron')}
            onInput={(e) => setCron(e.currentTarget.value)}
          />
          {wrong.error('cron')}
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
            {...wrong.attributes('timezone')}
            onInput={(e) => setTimezone(e.currentTarget.value)}
          />
          {wrong.error('timezone')}
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
            {...wrong.attributes('query')}
            onInput={(e) => setQuery(e.currentTarget.value)}
          />
          {wrong.error('query')}
        </div>
      </div>
      <button type="submit" class="primary" disabled={isCreating}>
        {isCreating ? 'Creating…' : 'Create schedule'}
      </button>
    </form>
  );
}
