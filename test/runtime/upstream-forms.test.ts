import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { load } from 'js-yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { jsonOf } from '../support/json-of.ts';
import { startTestRuntime, type TestRuntime } from '../support/start-test-runtime.ts';

// test/fixtures/upstream-forms holds agent files of our own that use every construct upstream
// Astromesh's agent files use (0.74.1's bundled agents, v0.40's examples). astromeshd must load
// them all, as upstream does, warnings allowed. What is not served yet is listed below with its
// exact load error: when it lands, this test fails, and the entry must go.

const fixturesDir = new URL('../fixtures/upstream-forms/', import.meta.url).pathname;

// (Semantic memory on chromadb and pgvector runs now: recall-chroma and recall-pgvector load, and
// test/runtime/semantic-memory-server-stores.test.ts runs both against real servers.)
const expectedNotYet: Record<string, string> = {};

// Keys upstream's files carry that astromeshd reads nowhere: loaded, with a warning naming each.
// (An agent tool's context_transform and orchestration.role_map are read now: desk-supervisor and
// trip-planner load without warnings, and test/runtime/upstream-parity.test.ts runs both.)
const expectedWarnings: Record<string, RegExp[]> = {
  // Tools of type integration (v0.40's catalog manifests with connections) are skipped, as upstream
  // skips a tool it cannot build; its connection and actions are not warned about one by one.
  'mail-integration': [
    /^mail-integration\.yaml: spec\.tools\[0\]\.type: tool type 'integration' \(.*\) is not supported by this runtime: the tool is skipped/,
  ],
  'front-desk': [/spec\.model\.routing\.health_check_interval: unknown key/],
  'lead-scorer': [/spec\.chain: unknown key/],
  'shared-redis': [/spec\.memory\.conversational\.connection\.url: not set: the REDIS_URL credential is used/],
  'internal-tool': [
    /^internal-tool\.yaml: spec\.tools\[0\]\.type: tool type 'internal' \(upstream's pre-0\.35 type, which upstream never registered either\) is not supported by this runtime: the tool is skipped/,
  ],
  'pre-rename': [
    /^pre-rename\.yaml: spec\.memory\.semantic\.embeddings: not set: semantic memory is off, as upstream ran such files until 0\.74/,
    /^pre-rename\.yaml: apiVersion: astromech\/v1 is upstream's name before its rename, read as astromesh\/v1$/,
  ],
};

const fixtureFiles = readdirSync(fixturesDir).filter((name) => name.endsWith('.yaml'));
const agentNames = fixtureFiles
  .map((name) => load(readFileSync(join(fixturesDir, name), 'utf8')) as { kind: string; metadata: { name: string } })
  .filter((doc) => doc.kind === 'Agent')
  .map((doc) => doc.metadata.name)
  .sort();

interface Listed {
  name: string;
  status: string;
  error?: string;
  warnings?: string[];
}

describe("upstream's agent-file constructs, in files of our own", () => {
  let runtime: TestRuntime;
  let listed: Listed[];
  let dataDir: string | undefined;

  beforeAll(async () => {
    const agents = Object.fromEntries(
      fixtureFiles.map((name) => [name, readFileSync(join(fixturesDir, name), 'utf8')] as const),
    );
    // okf-guide's knowledge bundle, found in the data directory.
    dataDir = mkdtempSync(join(tmpdir(), 'upstream-forms-data-'));
    cpSync(join(fixturesDir, 'bundles'), join(dataDir, 'bundles'), { recursive: true });
    runtime = await startTestRuntime({ agents, credentials: { OPENAI_API_KEY: 'sk-test' }, dataDir });
    listed = (await jsonOf(await runtime.request('/v1/agents'))).agents;
  });
  afterAll(async () => {
    await runtime?.stop();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  it('lists every agent of the folder', () => {
    expect(listed.map((agent) => agent.name).sort()).toEqual(agentNames);
    expect(agentNames.length).toBeGreaterThanOrEqual(15);
  });

  it.each(agentNames.filter((name) => !(name in expectedNotYet)))('loads %s with status ready', (name) => {
    const agent = listed.find((candidate) => candidate.name === name);

    expect(agent).toMatchObject({ status: 'ready' });
    expect(agent?.error).toBeUndefined();
    const warnings = agent?.warnings ?? [];
    const expected = expectedWarnings[name] ?? [];
    expect(warnings).toHaveLength(expected.length);
    expected.forEach((pattern, index) => {
      expect(warnings[index]).toMatch(pattern);
    });
  });

  it.each(Object.entries(expectedNotYet))('refuses %s, not served yet, with its exact error', (name, error) => {
    expect(listed.find((candidate) => candidate.name === name)).toMatchObject({ status: 'error', error });
  });
});
