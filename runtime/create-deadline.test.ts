import { describe, expect, it } from 'vitest';
import { eventually } from '../test/support/eventually.ts';
import { createDeadline } from './create-deadline.ts';

describe('createDeadline', () => {
  it('aborts its signal with the reason once the time has passed', async () => {
    const deadline = createDeadline(5, () => new Error('too slow'));
    expect(deadline.signal.aborted).toBe(false);
    await eventually(() => expect(deadline.signal.aborted).toBe(true));
    expect((deadline.signal.reason as Error).message).toBe('too slow');
  });

  it('never aborts once cleared', async () => {
    const cleared = createDeadline(5, () => new Error('too slow'));
    cleared.clear();
    const later = createDeadline(20, () => new Error('later'));
    await eventually(() => expect(later.signal.aborted).toBe(true));
    expect(cleared.signal.aborted).toBe(false);
  });
});
