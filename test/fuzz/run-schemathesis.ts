import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { locateSchemathesis } from '../binaries/locate-schemathesis.ts';

const hooksFile = join(import.meta.dirname, 'schemathesis_hooks.py');

type TomlValue = string | number | boolean | TomlValue[] | { [key: string]: TomlValue };

/** Settings for the operations one `[[operations]]` entry selects (schemathesis.toml). */
export interface OperationSettings {
  /** A regular expression over the document's paths, e.g. `^/orgs/\{slug\}/providers`. */
  pathRegex: string;
  /** Why these operations get their own settings: printed in the config file. */
  reason: string;
  parameters?: Record<string, string>;
  headers?: Record<string, string>;
  checks?: Record<string, { 'expected-statuses': string[] }>;
}

/** One server and one set of credentials for schemathesis to fuzz. */
export interface FuzzTarget {
  /** e.g. `Cloud API, JWT`: names the run in the output. */
  name: string;
  schemaUrl: string;
  /** Sent with every request: the credentials. */
  headers: Record<string, string>;
  /** Values for parameters of every operation, e.g. `{ 'path.slug': 'my-org' }`. */
  parameters?: Record<string, string>;
  operations?: OperationSettings[];
  /** Checks configured for the whole run, e.g. more statuses that count as refusals. */
  checks?: Record<string, { 'expected-statuses': string[] }>;
  /** What schemathesis_hooks.py reads (FUZZ_PROTECTED_KEY_IDS, FUZZ_NETWORK_TOOLS). */
  hookEnv?: Record<string, string>;
}

export interface FuzzBudget {
  /** Test cases per operation and phase (schemathesis --max-examples). */
  maxExamples: number;
  /**
   * Threads schemathesis runs on; 1 by default. Past 1, CPython 3.11's ast.parse (hypothesis
   * describes its filters with it) races between threads and fails a phase with "SystemError: AST
   * constructor recursion depth mismatch" (python/cpython#106905): an error of the fuzzer, not of
   * our server, seen in a `npm test` run. Keep the bounded suites at 1.
   */
  workers?: number;
  seed?: number;
  /** The phases to run (schemathesis --phases); all four by default. */
  phases?: FuzzPhase[];
}

/**
 * schemathesis's phases: the schema's own examples; coverage, its deterministic boundary cases
 * of every parameter and body (valid and not, the same for any credentials, and most of a
 * bounded run's time: hypothesis builds them on one core); fuzzing, random cases; stateful, the
 * document's links followed from one answer to the next request.
 */
export type FuzzPhase = 'examples' | 'coverage' | 'fuzzing' | 'stateful';

export interface FuzzResult {
  target: string;
  exitCode: number | null;
  /** Test cases schemathesis generated and sent. */
  cases: number;
  /** Distinct failures (a failed check, a server error, a crash), 0 on a clean run. */
  failures: number;
  /** Errors of schemathesis itself (a schema it cannot load, a connection refused…). */
  errors: number;
  /** schemathesis's whole output: its failure report, with reproduction commands. */
  output: string;
  seconds: number;
}

/**
 * Runs the installed schemathesis (npm run test:binaries puts it in the cache) against one
 * target with every check on, and reads its JSON report. A non-zero exit, a failure or an error
 * all show in the result; the caller decides what fails.
 */
export async function runSchemathesis(target: FuzzTarget, budget: FuzzBudget): Promise<FuzzResult> {
  const install = locateSchemathesis();
  const dir = mkdtempSync(join(tmpdir(), 'astromesh-fuzz-'));
  try {
    const configFile = join(dir, 'schemathesis.toml');
    writeFileSync(configFile, configOf(target), { mode: 0o600 });
    const args = [
      '--config-file',
      configFile,
      'run',
      target.schemaUrl,
      '--checks',
      'all',
      '--max-examples',
      String(budget.maxExamples),
      '--workers',
      String(budget.workers ?? 1),
      '--report',
      'json',
      '--report-dir',
      dir,
      '--no-color',
      // A judgement of the generator, not of the server: with an unlucky seed, hypothesis throws
      // away too many candidates for a body with many patterned fields (POST …/agents/compile,
      // in one CI run) and reports an error having sent nothing wrong. Every check stays on.
      '--suppress-health-check',
      'filter_too_much',
      ...(budget.seed === undefined ? [] : ['--seed', String(budget.seed)]),
      ...(budget.phases === undefined ? [] : ['--phases', budget.phases.join(',')]),
    ];
    const startedAt = Date.now();
    const { exitCode, output } = await run(install.executable, args, target.hookEnv ?? {}, dir);
    const reportFile = readdirSync(dir).find((name) => name.startsWith('json-') && name.endsWith('.json'));
    if (!reportFile) {
      throw new Error(`schemathesis wrote no report for ${target.name} (exit ${exitCode}):\n${output}`);
    }
    const report = JSON.parse(readFileSync(join(dir, reportFile), 'utf8')) as {
      test_cases: { generated: number; unique_failures: number };
      errors: unknown[];
    };
    return {
      target: target.name,
      exitCode,
      cases: report.test_cases.generated,
      failures: report.test_cases.unique_failures,
      errors: report.errors.length,
      output,
      seconds: Math.round((Date.now() - startedAt) / 1000),
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The schemathesis.toml of a target; credentials live only in this temporary file. */
function configOf(target: FuzzTarget): string {
  const lines = [
    `hooks = ${toml(hooksFile)}`,
    `headers = ${toml(target.headers)}`,
    // The credentials are in `headers`; generated ones would replace them with junk (the
    // ignored_auth check still sends requests without them).
    'generation = { with-security-parameters = false }',
  ];
  if (target.checks) lines.push(`checks = ${toml(target.checks)}`);
  if (target.parameters) lines.push('', '[parameters]', ...entries(target.parameters));
  for (const operation of target.operations ?? []) {
    lines.push('', `# ${operation.reason}`, '[[operations]]', `include-path-regex = ${toml(operation.pathRegex)}`);
    if (operation.parameters) lines.push(`parameters = ${toml(operation.parameters)}`);
    if (operation.headers) lines.push(`headers = ${toml(operation.headers)}`);
    if (operation.checks) lines.push(`checks = ${toml(operation.checks)}`);
  }
  return `${lines.join('\n')}\n`;
}

const entries = (values: Record<string, string>) => Object.entries(values).map(([k, v]) => `${toml(k)} = ${toml(v)}`);

// JSON's string escapes are all valid in TOML basic strings, so JSON.stringify quotes for both.
function toml(value: TomlValue): string {
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (Array.isArray(value)) return `[${value.map(toml).join(', ')}]`;
  return `{ ${Object.entries(value)
    .map(([key, inner]) => `${JSON.stringify(key)} = ${toml(inner)}`)
    .join(', ')} }`;
}

function run(
  command: string,
  args: string[],
  env: Record<string, string>,
  cwd: string,
): Promise<{ exitCode: number | null; output: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, {
      // In the run's temporary folder: schemathesis keeps a cache (.schemathesis/) where it runs.
      cwd,
      env: { ...process.env, ...env, NO_COLOR: '1', COLUMNS: '120' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => {
      output += chunk.toString();
    });
    child.stderr.on('data', (chunk: Buffer) => {
      output += chunk.toString();
    });
    child.on('error', (err) =>
      reject(new Error(`cannot run schemathesis (${err.message}); npm run test:binaries installs it`)),
    );
    child.on('close', (exitCode) => resolve({ exitCode, output }));
  });
}
