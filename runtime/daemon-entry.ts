import { type Logger, pino } from 'pino';

/** A bad command line or environment: the daemon prints it with its usage and exits 2. */
export class UsageError extends Error {}

/**
 * Parses a daemon's command line (astromeshd, the operator). A `UsageError`, or the TypeError
 * `util.parseArgs` throws for an unknown flag, is printed with the usage and exits 2.
 */
export function parseCommandLineOrExit<T>(input: { name: string; usage: string; parse: () => T }): T {
  try {
    return input.parse();
  } catch (err) {
    if (!(err instanceof UsageError) && !(err instanceof TypeError)) throw err;
    process.stderr.write(`${input.name}: ${err.message}\n\n${input.usage}`);
    process.exit(2);
  }
}

/**
 * JSON log lines on stdout, written synchronously: the lines before `process.exit` (the shutdown
 * steps) are neither lost nor reordered. When whoever reads stdout is gone (a supervisor killed
 * outright), writes fail with EPIPE; losing those lines beats a process that can no longer stop.
 */
export function createStdoutLogger(input: { service: string; level: string; redactPaths: string[] }): Logger {
  const destination = pino.destination({ fd: 1, sync: true });
  destination.on('error', () => {});
  return pino(
    {
      level: input.level,
      base: { service: input.service },
      redact: { paths: input.redactPaths, censor: '[redacted]' },
    },
    destination,
  );
}
