import { describe, expect, it } from 'vitest';
import { runTool } from '../test-support/a-tool-context.ts';
import { datetimeNow } from './datetime-now.ts';

const fixedClock = () => new Date('2026-03-01T12:34:56.789Z');

describe('datetime_now', () => {
  it('gives the current time in UTC by default', async () => {
    const result = await runTool(datetimeNow, {}, { clock: fixedClock });

    expect(result).toEqual({
      datetime: '2026-03-01T12:34:56+00:00',
      timezone: 'UTC',
      weekday: 'Sunday',
      unix_timestamp: 1772368496,
    });
  });

  it('gives the local time and offset of a named timezone', async () => {
    const result = await runTool(datetimeNow, { timezone: 'Asia/Kolkata' }, { clock: fixedClock });

    expect(result).toMatchObject({ datetime: '2026-03-01T18:04:56+05:30', timezone: 'Asia/Kolkata' });
  });

  it('accepts the legacy alias US/Eastern', async () => {
    const result = await runTool(datetimeNow, { timezone: 'US/Eastern' }, { clock: fixedClock });

    expect(result).toMatchObject({ datetime: '2026-03-01T07:34:56-05:00' });
  });

  it('refuses an unknown timezone with invalid_input', async () => {
    const running = runTool(datetimeNow, { timezone: 'Mars/Olympus' }, { clock: fixedClock });

    await expect(running).rejects.toMatchObject({ code: 'invalid_input', message: expect.stringMatching(/Mars/) });
  });
});
