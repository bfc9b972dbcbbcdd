import { mkdirSync, mkdtempSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { dump } from 'js-yaml';
import { pino } from 'pino';
import { type RunningRuntime, startRuntime } from '../../runtime/start-runtime.ts';
import type { FakeProvider } from '../fakes/fake-provider.ts';
import { startFakeProvider } from '../fakes/start-fake-provider.ts';

export interface TestRuntime extends RunningRuntime {
  agentsDir: string;
  writeAgent(fileName: string, yaml: string): void;
  removeAgent(fileName: string): void;
  /** fetch against the runtime, with the auth token when one is configured. */
  request(path: string, init?: RequestInit): Promise<Response>;
}

/**
 * astromeshd in this process on a free port, with its agents directory and credentials file in
 * a temp folder. Credentials usually point providers at fakes (OPENAI_BASE_URL: fake.baseUrl).
 */
export async function startTestRuntime(
  options: {
    agents?: Record<string, string>;
    credentials?: Record<string, string>;
    authToken?: string;
    memoryUrl?: string;
    memorySchema?: string;
    /** Default: a folder in the runtime's temp folder, removed on stop. */
    dataDir?: string;
    shutdownTimeoutSeconds?: number;
    /** Default 0: the test's keep-alive connections (fetch's pool) would hold every stop() up. */
    shutdownLingerSeconds?: number;
    otlpEndpoint?: string;
    /** As the Cloud starts its runtimes: stdio MCP servers refused. */
    disableMcpStdio?: boolean;
  } = {},
): Promise<TestRuntime> {
  const dir = mkdtempSync(join(tmpdir(), 'astromeshd-test-'));
  const agentsDir = join(dir, 'agents');
  mkdirSync(agentsDir);
  for (const [fileName, yaml] of Object.entries(options.agents ?? {})) writeFileSync(join(agentsDir, fileName), yaml);
  const credentialsFile = join(dir, 'credentials.yaml');
  writeFileSync(credentialsFile, dump(options.credentials ?? {}));
  const tokenFile = options.authToken ? join(dir, 'token') : undefined;
  if (tokenFile) writeFileSync(tokenFile, options.authToken as string);

  const runtime = await startRuntime(
    {
      agentsDir,
      port: 0,
      host: '127.0.0.1',
      credentials: credentialsFile,
      memory: options.memoryUrl,
      memorySchema: options.memorySchema,
      dataDir: options.dataDir ?? join(dir, 'data'),
      authTokenFile: tokenFile,
      otlpEndpoint: options.otlpEndpoint,
      shutdownTimeoutSeconds: options.shutdownTimeoutSeconds ?? 5,
      shutdownLingerSeconds: options.shutdownLingerSeconds ?? 0,
      logLevel: 'silent',
      disableMcpStdio: options.disableMcpStdio,
    },
    // The process environment must not leak real keys into tests: only the credentials file counts.
    {
      env: {},
      log: pino({ level: 'silent' }),
      modelRetry: { maxRetries: 1, baseDelayMs: 1, maxDelayMs: 2 },
      otlpExportDelayMs: 50,
    },
  );
  return {
    ...runtime,
    agentsDir,
    writeAgent: (fileName, yaml) => writeFileSync(join(agentsDir, fileName), yaml),
    removeAgent: (fileName) => unlinkSync(join(agentsDir, fileName)),
    request(path, init = {}) {
      const headers = new Headers(init.headers);
      if (options.authToken && !headers.has('authorization'))
        headers.set('authorization', `Bearer ${options.authToken}`);
      if (init.body !== undefined && !headers.has('content-type')) headers.set('content-type', 'application/json');
      return fetch(`${runtime.url}${path}`, { ...init, headers });
    },
    async stop() {
      await runtime.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** A minimal agent document in YAML, for tests that care about one section. */
export function agentYaml(name: string, spec: Record<string, unknown>): string {
  return dump({ apiVersion: 'astromesh/v1', kind: 'Agent', metadata: { name }, spec });
}

/**
 * A fake OpenAI provider and a runtime whose credentials point at it, both stopped by `cleanups`
 * (run in reverse by the test's afterEach).
 */
export async function startRuntimeOnFakeOpenAi(
  cleanups: (() => Promise<void>)[],
  options: { agents: Record<string, string>; authToken?: string },
): Promise<{ openai: FakeProvider; runtime: TestRuntime }> {
  const openai = await startFakeProvider('openai');
  cleanups.push(() => openai.close());
  const runtime = await startTestRuntime({
    agents: options.agents,
    credentials: { OPENAI_API_KEY: 'sk-test', OPENAI_BASE_URL: openai.baseUrl },
    authToken: options.authToken,
  });
  cleanups.push(() => runtime.stop());
  return { openai, runtime };
}
