// Node's socket errors that mean the server cannot be reached (or the connection to it broke).
const unreachableErrnos: Record<string, string> = {
  ECONNREFUSED: 'connection refused',
  ECONNRESET: 'connection reset',
  ECONNABORTED: 'connection aborted',
  EPIPE: 'connection broken',
  ETIMEDOUT: 'connection timed out',
  EHOSTUNREACH: 'host unreachable',
  ENETUNREACH: 'network unreachable',
  EADDRNOTAVAIL: 'address not available',
  // The database's host name does not resolve (yet): a DNS outage, or a Service being recreated.
  ENOTFOUND: 'host not found',
  EAI_AGAIN: 'host name lookup failed',
};

// Errors node-postgres and pg-pool raise themselves, without a code: matched on their exact text.
const driverMessages: Record<string, string> = {
  'Connection terminated unexpectedly': 'connection lost',
  'Connection terminated': 'connection closed',
  'Connection terminated due to connection timeout': 'connect timed out',
  'timeout expired': 'connect timed out',
  'timeout exceeded when trying to connect': 'connect timed out',
  'Query read timeout': 'query timed out',
  'Client has encountered a connection error and is not queryable': 'connection lost',
  'Client was closed and is not queryable': 'connection closed',
  'Cannot use a pool after calling end on the pool': 'the API is shutting down',
};

// SQLSTATEs that say the server cannot serve us now; retrying later can succeed. Everything else
// (a constraint violation, a syntax error, a permission) is about the request and stays what it is.
const unavailableSqlStates: Record<string, string> = {
  '57P01': 'the server is shutting down', // admin_shutdown (also pg_terminate_backend)
  '57P02': 'the server crashed', // crash_shutdown
  '57P03': 'the server is starting up or shutting down', // cannot_connect_now
  '57014': 'statement timed out', // query_canceled: statement_timeout, or a cancel request
  '53300': 'too many connections', // too_many_connections
};

/**
 * Why `err` means the database is unavailable (unreachable, restarting, stuck, saturated), in a
 * few words; undefined when `err` is about the request itself and must keep its own meaning.
 * Looks through `cause` chains and AggregateErrors (a host with several addresses).
 */
export function unavailabilityOf(err: unknown, depth = 0): string | undefined {
  if (!(err instanceof Error) || depth > 5) return undefined;
  const code = (err as { code?: unknown }).code;
  if (typeof code === 'string') {
    const reason = unreachableErrnos[code] ?? unavailableSqlStates[code];
    if (reason) return reason;
    // Class 08: connection exception (connection failure, protocol violation, ...).
    if (/^08[0-9A-Z]{3}$/.test(code)) return 'connection failure';
  }
  const driverReason = Object.hasOwn(driverMessages, err.message) ? driverMessages[err.message] : undefined;
  if (driverReason) return driverReason;
  if (err instanceof AggregateError) {
    for (const inner of err.errors) {
      const reason = unavailabilityOf(inner, depth + 1);
      if (reason) return reason;
    }
  }
  return unavailabilityOf(err.cause, depth + 1);
}
