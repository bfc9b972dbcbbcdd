import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { load } from 'js-yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FakeProvider } from '../fakes/fake-provider.ts';
import { fakeReply } from '../fakes/fake-reply.ts';
import { startFakeProvider } from '../fakes/start-fake-provider.ts';
import { chartDir } from '../support/helm-chart.ts';
import { imageNodeFlags } from '../support/image-node-flags.ts';
import { createMemoryCgroup, type MemoryCgroup } from '../support/memory-cgroup.ts';
import { type AstromeshdProcess, spawnAstromeshd } from '../support/spawn-astromeshd.ts';
import { writeLoadAgents } from '../support/write-load-agents.ts';

// Issue 13: a runtime pod must never be OOM-killed under load. The limit is the chart's own for
// runtime pods, the Node flags the image's, and the load what the goal names: 64 runs at a time
// for a minute, none naming a session (each starts one, kept in memory).
const loadSeconds = 60;
const concurrency = 64;
const agents = ['limit-1', 'limit-2', 'limit-3', 'limit-4', 'limit-5'];

describe('a runtime under its chart memory limit', () => {
  const limitBytes = chartRuntimeMemoryLimitBytes();
  let fake: FakeProvider;
  let cgroup: MemoryCgroup;
  let astromeshd: AstromeshdProcess;
  let url: string;
  let dir: string;

  beforeAll(async () => {
    fake = await startFakeProvider('openai', {
      defaultReply: fakeReply.text('Within limits.', { usage: { inputTokens: 20, outputTokens: 10 } }),
      maxRecordedRequests: 1,
    });
    dir = mkdtempSync(join(tmpdir(), 'astromesh-memory-limit-'));
    const agentsDir = join(dir, 'agents');
    mkdirSync(agentsDir);
    writeLoadAgents(agentsDir, agents);
    writeFileSync(join(dir, 'credentials.yaml'), `OPENAI_API_KEY: sk-limit\nOPENAI_BASE_URL: ${fake.baseUrl}\n`);
    cgroup = createMemoryCgroup(`astromesh-memory-limit-${randomBytes(4).toString('hex')}`, limitBytes);
    // The shell joins the cgroup, then becomes Node: every byte astromeshd ever uses is charged
    // there, and Node sizes its heap from the limit it finds, as in a pod.
    const node = [process.execPath, ...imageNodeFlags(), 'runtime/main.ts'].map(quoted).join(' ');
    const runtimeArgs = ['--port', '0', '--agents-dir', agentsDir, '--data-dir', join(dir, 'data')];
    runtimeArgs.push('--credentials', join(dir, 'credentials.yaml'));
    astromeshd = spawnAstromeshd(
      ['-c', `echo $$ > ${quoted(cgroup.procsFile)} && exec ${node} ${runtimeArgs.map(quoted).join(' ')}`],
      { command: '/bin/sh' },
    );
    const { port } = await astromeshd.waitForLog('astromeshd listening');
    url = `http://127.0.0.1:${port as number}`;
  });

  afterAll(async () => {
    await astromeshd?.kill();
    cgroup?.remove();
    await fake?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it(
    `answers every run at concurrency ${concurrency} for a minute and is never OOM-killed`,
    async () => {
      const isRunning = () => astromeshd.child.exitCode === null && astromeshd.child.signalCode === null;
      const statuses = new Map<number, number>();
      const until = Date.now() + loadSeconds * 1000;
      let sent = 0;
      await Promise.all(
        Array.from({ length: concurrency }, async () => {
          while (Date.now() < until && isRunning()) {
            const agent = agents[sent++ % agents.length] as string;
            const status = await fetch(`${url}/v1/agents/${agent}/run`, {
              method: 'POST',
              headers: { 'content-type': 'application/json' },
              body: JSON.stringify({ query: `Run ${sent}: say something.` }),
            }).then(
              async (response) => {
                await response.arrayBuffer();
                return response.status;
              },
              () => 0,
            );
            statuses.set(status, (statuses.get(status) ?? 0) + 1);
          }
        }),
      );

      expect({ exitCode: astromeshd.child.exitCode, signal: astromeshd.child.signalCode }).toEqual({
        exitCode: null,
        signal: null,
      });
      expect(cgroup.oomKills()).toBe(0);
      expect([...statuses.keys()]).toEqual([200]);
      expect(statuses.get(200)).toBeGreaterThan(concurrency);
      // Printed for the reader: how close the runtime came to its limit.
      process.stdout.write(
        `memory limit ${limitBytes / 2 ** 20} MiB (cgroup v${cgroup.version}), peak ${(cgroup.peakBytes() / 2 ** 20).toFixed(0)} MiB, ${statuses.get(200)} runs\n`,
      );
    },
    (loadSeconds + 60) * 1000,
  );
});

/** resources.limits.memory of runtime pods in the chart's values.yaml (e.g. 512Mi), in bytes. */
function chartRuntimeMemoryLimitBytes(): number {
  const values = load(readFileSync(join(chartDir, 'values.yaml'), 'utf8')) as {
    runtime: { resources: { limits: { memory: string } } };
  };
  const quantity = values.runtime.resources.limits.memory;
  const match = /^(\d+)(Ki|Mi|Gi|k|M|G)?$/.exec(quantity);
  if (!match) throw new Error(`runtime.resources.limits.memory is not a whole quantity: ${quantity}`);
  const unit = { Ki: 2 ** 10, Mi: 2 ** 20, Gi: 2 ** 30, k: 1e3, M: 1e6, G: 1e9 }[match[2] ?? ''] ?? 1;
  return Number(match[1]) * unit;
}

function quoted(text: string): string {
  return `'${text.replaceAll("'", `'\\''`)}'`;
}
