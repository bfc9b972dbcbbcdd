#!/usr/bin/env node
// astromeshd: the agent runtime daemon (run `astromeshd --help`).
import { parseOptions, usage } from './cli-options.ts';
import { createStdoutLogger, parseCommandLineOrExit } from './daemon-entry.ts';
import { routeSdkWarningsTo } from './router/providers/route-sdk-warnings.ts';
import { installLastResortHandlers } from './server/install-last-resort-handlers.ts';
import { type RunningRuntime, startRuntime } from './start-runtime.ts';
import { stopOnSignals } from './stop-on-signals.ts';

const options = parseCommandLineOrExit({
  name: 'astromeshd',
  usage,
  parse: () => parseOptions(process.argv.slice(2), process.env),
});

if (options === 'help') {
  process.stdout.write(usage);
} else {
  const log = createStdoutLogger({
    service: 'astromeshd',
    level: options.logLevel,
    redactPaths: ['*.apiKey', '*.api_key', '*.token', '*.password', '*.authorization'],
  });
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
  // A bug in one request's handler fails that request, never the process (DESIGN.md decision 10).
  installLastResortHandlers({ log, guards: [runtime.guard] });
  const stop = stopOnSignals({ log, stop: () => runtime.stop() });
  if (options.stopWhenStdinCloses) {
    process.stdin.once('end', () => stop('stdin closed'));
    process.stdin.resume();
  }
}
