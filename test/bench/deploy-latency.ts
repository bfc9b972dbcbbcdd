// npm run bench: how long a deploy takes, from the API's deploy call until it answers, which is
// when the operator reports the agent Ready: its runtime pod runs the new config and is ready.
//
// Processes: this process (the Cloud API on the kubernetes backend, as the chart's API
// ServiceAccount, with per-org memory), its own PostgreSQL, a test cluster (etcd, kube-apiserver,
// kube-controller-manager, a fake kubelet that runs each runtime pod as `node runtime/main.ts`)
// and the operator (`node operator/main.ts`, leader election on, the chart's operator RBAC).
// Deploys run one at a time: each org's first deploy starts its runtime from zero (namespace,
// Secret, memory role, a new pod); later ones add an agent to a running runtime, which rolls to a
// new pod beside the old. Prints numbers, asserts nothing.
import { randomBytes } from 'node:crypto';
import { post } from '../support/post.ts';
import { type RunningPostgres, startEmbeddedPostgres } from '../support/start-embedded-postgres.ts';
import { type KubernetesStack, startKubernetesStack } from '../support/start-kubernetes-stack.ts';

const orgCount = 5;
const agentsPerOrg = 4;

interface Deploy {
  kind: 'first in org' | 'added to org';
  ms: number;
}

async function main(): Promise<void> {
  let postgres: RunningPostgres | undefined;
  let stack: KubernetesStack | undefined;
  try {
    const setupStartedAt = performance.now();
    postgres = await startEmbeddedPostgres();
    stack = await startKubernetesStack({ adminDatabaseUrl: postgres.adminUrl, deployTimeoutMs: 120_000 });
    const setupMs = performance.now() - setupStartedAt;

    const deploys: Deploy[] = [];
    for (let org = 0; org < orgCount; org++) {
      const user = await stack.api.signIn(`bench-${randomBytes(4).toString('hex')}@example.com`);
      // Deploys make no model call; the key only has to exist, as for any org.
      await expectOk(
        user.as('/providers', post({ provider: 'openai', api_key: 'sk-bench', base_url: 'http://127.0.0.1:9/v1' })),
      );
      for (let agent = 1; agent <= agentsPerOrg; agent++) {
        const name = `agent-${agent}`;
        await expectOk(user.as('/agents', post({ name, step1: { model: 'openai/gpt-4o-mini' } })));
        const startedAt = performance.now();
        await expectOk(user.as(`/agents/${name}/deploy`, post()));
        deploys.push({ kind: agent === 1 ? 'first in org' : 'added to org', ms: performance.now() - startedAt });
      }
    }
    report({ deploys, setupMs });
  } finally {
    await stack?.stop();
    await postgres?.stop();
  }
}

async function expectOk(pending: Promise<Response>): Promise<void> {
  const response = await pending;
  if (!response.ok) throw new Error(`${response.url} answered ${response.status}: ${await response.text()}`);
}

function summary(values: number[]): string {
  const sorted = [...values].sort((a, b) => a - b);
  const at = (p: number) => sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))] as number;
  const ms = (value: number) => `${value.toFixed(0).padStart(6)} ms`;
  return `p50 ${ms(at(0.5))}  p99 ${ms(at(0.99))}  min ${ms(sorted[0] as number)}  max ${ms(sorted.at(-1) as number)}`;
}

function report(input: { deploys: Deploy[]; setupMs: number }): void {
  const { deploys } = input;
  const of = (kind: Deploy['kind']) => deploys.filter((deploy) => deploy.kind === kind).map((deploy) => deploy.ms);
  const lines = [
    `deploy → Ready (the API's deploy call), ${deploys.length} deploys in ${orgCount} orgs, one at a time`,
    `  all           ${summary(deploys.map((deploy) => deploy.ms))}`,
    `  first in org  ${summary(of('first in org'))}   (${of('first in org').length}: runtime starts from zero)`,
    `  added to org  ${summary(of('added to org'))}   (${of('added to org').length}: runtime rolls to a new pod)`,
    `  (setup: cluster, operator, API, PostgreSQL in ${(input.setupMs / 1000).toFixed(1)} s)`,
  ];
  process.stdout.write(`${lines.join('\n')}\n`);
}

await main();
