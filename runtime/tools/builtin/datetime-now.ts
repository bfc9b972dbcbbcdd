import { z } from 'zod';
import { type Tool, ToolError } from '../tool-types.ts';

const DatetimeNowInput = z.object({
  timezone: z
    .string()
    .max(64)
    .default('UTC')
    .describe("IANA timezone name such as 'UTC', 'Europe/Paris' or 'US/Eastern'. Defaults to UTC."),
});
type DatetimeNowInput = z.infer<typeof DatetimeNowInput>;

export const datetimeNow: Tool<DatetimeNowInput> = {
  name: 'datetime_now',
  description:
    'Get the current date and time, optionally in a given timezone. Use it whenever the answer depends on ' +
    "today's date, the current time or the day of the week; you do not know them otherwise.",
  inputSchema: DatetimeNowInput,
  async run(input, context) {
    const now = context.clock?.() ?? new Date();
    const parts = partsIn(now, input.timezone);
    const offset = (parts.timeZoneName ?? 'GMT').replace('GMT', '') || '+00:00';
    return {
      datetime: `${parts.year}-${parts.month}-${parts.day}T${parts.hour}:${parts.minute}:${parts.second}${offset}`,
      timezone: input.timezone,
      weekday: parts.weekday,
      unix_timestamp: Math.floor(now.getTime() / 1000),
    };
  },
};

function partsIn(date: Date, timeZone: string): Partial<Record<Intl.DateTimeFormatPartTypes, string>> {
  let format: Intl.DateTimeFormat;
  try {
    format = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
      weekday: 'long',
      timeZoneName: 'longOffset',
    });
  } catch {
    throw new ToolError(
      'invalid_input',
      `timezone: unknown timezone '${timeZone}'; use an IANA name such as Europe/Paris`,
    );
  }
  return Object.fromEntries(format.formatToParts(date).map((part) => [part.type, part.value]));
}
