#!/usr/bin/env node
// astromeshd: the agent runtime daemon (run `astromeshd --help`).
import { pino } from 'pino';
import { type Options, parseOptions, UsageError, usage } from './cli-options.ts';
import { routeSdkWarningsTo } from './router/providers/route-sdk-warnings.ts';
import { type RunningRuntime, startRuntime } from './start-runtime.ts';
import { stopOnSignals } from './stop-on-signals.ts';

let options: Options | 'help';
try {
  options = parseOptions(process.argv.slice(2), process.env);
} catch (err) {
  if (!(err instanceof UsageError) && !(err instanceof TypeError)) throw err;
  process.stderr.write(`astromeshd: ${err.message}\n\n${usage}`);
  process.exit(2);
}

if (options === 'help') {
  process.stdout.write(usage);
} else {
  // When whoever reads our stdout is gone (a supervisor killed outright), writes fail with EPIPE;
  // losing those log lines is better than a process that can no longer shut down.
  const destination = pino.destination({ fd: 1, sync: true });
  destination.on('error', () => {});
  const log = pino(
    {
      level: options.logLevel,
      base: { service: 'astromeshd' },
      redact: { paths: ['*.apiKey', '*.api_key', '*.token', '*.password', '*.authorization'], censor: '[redacted]' },
    },
    destination,
  );
  routeSdkWarningsTo(log);
  let runtime: RunningRuntime;
  try {
    runtime = await startRuntime(options, { env: process.env, log });
  } catch (err) {
    // A runtime that cannot start (no agents folder, no token file, port taken) says why in the
    // same JSON log as everything else: a raw stack trace on stderr is lost to a log pipeline.
    log.fatal({ err }, 'astromeshd failed to start');
    process.exit(1);
  }
  const stop = stopOnSignals({ log, stop: () => runtime.stop() });
  if (options.stopWhenStdinCloses) {
    process.stdin.once('end', () => stop('stdin closed'));
    process.stdin.resume();
  }
}
