// npm run fuzz: the long fuzz run. The same targets as the bounded suites in `npm test`
// (test/fuzz/*.test.ts), with many more cases: the Cloud API with a JWT and with an API key,
// then astromeshd's /v1 API with its bearer token. Prints each run's failure report and the
// totals; exits non-zero when any run found a failure.
//
//   npm run fuzz                              about 10,000+ cases in all
//   npm run fuzz -- --max-examples 50         a quicker look
//   npm run fuzz -- --only runtime --seed 42  one server, a reproducible run
import { parseArgs } from 'node:util';
import { startEmbeddedPostgres } from '../support/start-embedded-postgres.ts';
import { apiFuzzTargets } from './api-fuzz-targets.ts';
import { type FuzzResult, runSchemathesis } from './run-schemathesis.ts';
import { runtimeFuzzTargets } from './runtime-fuzz-targets.ts';
import { startFuzzApi } from './start-fuzz-api.ts';
import { startFuzzRuntime } from './start-fuzz-runtime.ts';

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      'max-examples': { type: 'string', default: '300' },
      only: { type: 'string' },
      seed: { type: 'string' },
      workers: { type: 'string', default: '1' },
    },
  });
  const budget = {
    maxExamples: Number(values['max-examples']),
    workers: Number(values.workers),
    seed: values.seed === undefined ? undefined : Number(values.seed),
  };
  const results: FuzzResult[] = [];

  if (values.only === undefined || values.only === 'api') {
    const postgres = await startEmbeddedPostgres();
    try {
      const api = await startFuzzApi({ adminDatabaseUrl: postgres.adminUrl });
      try {
        for (const target of apiFuzzTargets(api)) results.push(report(await runSchemathesis(target, budget)));
        print(`model calls made by the API's runs: ${api.openai.requestCount}`);
      } finally {
        await api.stop();
      }
    } finally {
      await postgres.stop();
    }
  }
  if (values.only === undefined || values.only === 'runtime') {
    const runtime = await startFuzzRuntime();
    try {
      for (const target of runtimeFuzzTargets(runtime)) results.push(report(await runSchemathesis(target, budget)));
      print(`model calls made by the runtime's runs: ${runtime.openai.requestCount}`);
    } finally {
      await runtime.stop();
    }
  }

  const cases = results.reduce((sum, result) => sum + result.cases, 0);
  const failures = results.reduce((sum, result) => sum + result.failures + result.errors, 0);
  print('');
  for (const result of results) {
    print(
      `${result.target}: ${result.cases} cases, ${result.failures} failures, ${result.errors} errors (${result.seconds} s)`,
    );
  }
  print(`total: ${cases} cases, ${failures} failures`);
  if (failures > 0 || results.some((result) => result.exitCode !== 0)) process.exitCode = 1;
}

function report(result: FuzzResult): FuzzResult {
  print(`\n==== ${result.target} ====\n${result.output}`);
  return result;
}

function print(line: string): void {
  process.stdout.write(`${line}\n`);
}

main().catch((err: unknown) => {
  process.stderr.write(`fuzz run failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exitCode = 1;
});
