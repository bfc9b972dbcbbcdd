import type { CreateScheduleBody, ScheduleView, UpdateScheduleBody } from '../../../api/schemas/schedule.ts';
import type { ApiClient } from './api-client.ts';

export type { ScheduleView };
/** What the create form sends: timezone and enabled have the API's defaults (UTC, true). */
export type NewSchedule = Pick<CreateScheduleBody, 'cron' | 'input'> & Partial<CreateScheduleBody>;

/** An agent's schedules (README "Schedules"): members read them, owners and admins change them. */
export function schedulesApi(api: ApiClient, org: string, agent: string) {
  const schedulesPath = `/orgs/${encodeURIComponent(org)}/agents/${encodeURIComponent(agent)}/schedules`;
  const schedulePath = (id: string) => `${schedulesPath}/${encodeURIComponent(id)}`;
  return {
    list: async () => (await api.request<{ schedules: ScheduleView[] }>('GET', schedulesPath)).schedules,
    create: (input: NewSchedule) => api.request<ScheduleView>('POST', schedulesPath, input),
    update: (id: string, change: UpdateScheduleBody) => api.request<ScheduleView>('PATCH', schedulePath(id), change),
    remove: (id: string) => api.request<void>('DELETE', schedulePath(id)),
  };
}
export type SchedulesApi = ReturnType<typeof schedulesApi>;
