#!/usr/bin/env node
// The Astromesh Cloud API (run `node api/main.ts --help`): what `npm start` runs.
import { pino } from 'pino';
import { installLastResortHandlers } from '../runtime/server/install-last-resort-handlers.ts';
import { stopOnSignals } from '../runtime/stop-on-signals.ts';
import { quickstartOf } from './cli/quickstart.ts';
import { type RunningApiServer, startApiServer } from './cli/start-api-server.ts';
import { usage } from './cli/usage.ts';
import { type ApiConfig, ConfigError, loadApiConfig } from './config/api-config.ts';
import { logRedaction } from './http/request-log.ts';

const args = process.argv.slice(2);
if (args.includes('--help') || args.includes('-h')) {
  process.stdout.write(usage);
  process.exit(0);
}
if (args.length > 0) {
  exitWithUsageError(`unknown argument '${args[0]}': the API is configured by environment variables`);
}

let config: ApiConfig;
try {
  config = loadApiConfig(process.env);
} catch (err) {
  if (!(err instanceof ConfigError)) throw err;
  exitWithUsageError(err.message);
}

// Written asynchronously, lines logged while a write is in flight going out together: a line per
// request cost the bench's API 2.1 s of writes over 7,400 runs, 0.6 s so (issue 13's profile).
// Whatever is buffered is flushed when the process exits, process.exit included.
const log = pino(
  { level: config.logLevel, base: { service: 'astromesh-api' }, redact: logRedaction },
  pino.destination({ dest: 1, sync: false }),
);
let server: RunningApiServer;
try {
  server = await startApiServer(config, { log });
} catch (err) {
  if (err instanceof ConfigError) exitWithUsageError(err.message);
  // Said in the same JSON log as everything else: a raw stack on stderr is lost to a log pipeline.
  log.fatal({ err }, 'astromesh api failed to start');
  process.exit(1);
}
// The quickstart signs in with dev login; where that is off, it could only fail.
if (config.devLoginEnabled) process.stdout.write(quickstartOf(server.url));

// A bug in one request's handler fails that request, never the process (DESIGN.md decision 10).
installLastResortHandlers({ log, guards: [server.api.guard] });
stopOnSignals({ log, stop: () => server.stop() });

function exitWithUsageError(message: string): never {
  process.stderr.write(`astromesh-api: ${message}\n(node api/main.ts --help lists every variable)\n`);
  process.exit(2);
}
