import { AppError } from '../errors.ts';
import { unavailabilityOf } from './unavailability-of.ts';

// Long enough for an embedded PostgreSQL to come back from a crash, short enough that a client
// does not sit out an outage that ended: a hint, not a promise.
export const databaseRetryAfterSeconds = 5;

/**
 * 503 database_unavailable with Retry-After: the database could not serve the request (down,
 * restarting, paused past the timeouts, out of connections). The request did nothing the caller
 * must undo; it can be sent again. The reason is a few fixed words, never the driver's message.
 */
export class DatabaseUnavailable extends AppError {
  readonly reason: string;

  constructor(reason: string, cause?: unknown) {
    super(
      'database_unavailable',
      503,
      `the database is unavailable (${reason}); try again in ${databaseRetryAfterSeconds} seconds`,
      { headers: { 'Retry-After': String(databaseRetryAfterSeconds) }, cause },
    );
    this.reason = reason;
  }

  /** `err` as a DatabaseUnavailable when it is about the database's availability, else `err` itself. */
  static from(err: unknown): unknown {
    // An AppError already says what the caller should hear, whatever caused it.
    if (err instanceof AppError) return err;
    const reason = unavailabilityOf(err);
    return reason ? new DatabaseUnavailable(reason, err) : err;
  }
}
