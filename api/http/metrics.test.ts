import { describe, expect, it } from 'vitest';
import { createApiMetrics, maxOrgAgentLabelPairs } from './metrics.ts';

const aRun = (org: string, agent: string) => ({
  org,
  agent,
  kind: 'run' as const,
  outcome: 'ok',
  tokensIn: 100,
  tokensOut: 10,
  costNanoUsd: 15_000,
  latencyMs: 1_200,
});

/** The distinct org/agent label pairs of one metric in the exposition. */
function pairsOf(text: string, metric: string): Set<string> {
  const pairs = new Set<string>();
  for (const line of text.split('\n')) {
    if (!line.startsWith(`${metric}{`)) continue;
    const match = /org="([^"]*)",agent="([^"]*)"/.exec(line);
    if (match) pairs.add(`${match[1]}/${match[2]}`);
  }
  return pairs;
}

describe('createApiMetrics', () => {
  it('counts tokens, cost, unpriced runs and run latency by org and agent', async () => {
    const metrics = createApiMetrics();

    metrics.recordRun(aRun('acme', 'bot'));
    metrics.recordRun({ ...aRun('acme', 'bot'), kind: 'test', costNanoUsd: null, latencyMs: 300 });
    const text = await metrics.render();

    expect(text).toContain('astromesh_tokens_total{org="acme",agent="bot",direction="in"} 200');
    expect(text).toContain('astromesh_cost_usd_total{org="acme",agent="bot"} 0.000015');
    expect(text).toContain('astromesh_unpriced_runs_total{org="acme",agent="bot"} 1');
    expect(text).toContain('astromesh_run_duration_seconds_bucket{le="2.5",org="acme",agent="bot",kind="run"} 1');
    expect(text).toContain('astromesh_run_duration_seconds_bucket{le="0.25",org="acme",agent="bot",kind="run"} 0');
    expect(text).toContain('astromesh_run_duration_seconds_sum{org="acme",agent="bot",kind="test"} 0.3');
  });

  it(`keeps at most its bound of org × agent pairs (${maxOrgAgentLabelPairs} by default), folding later ones into other`, async () => {
    const metrics = createApiMetrics({ maxOrgAgentPairs: 3 });

    for (let org = 0; org < 4; org += 1)
      for (let agent = 0; agent < 5; agent += 1) metrics.recordRun(aRun(`org-${org}`, `agent-${agent}`));
    metrics.recordRun(aRun('org-0', 'agent-0'));
    const text = await metrics.render();

    for (const metric of [
      'astromesh_runs_total',
      'astromesh_tokens_total',
      'astromesh_cost_usd_total',
      'astromesh_run_duration_seconds_bucket',
    ])
      expect(pairsOf(text, metric), metric).toEqual(
        new Set(['org-0/agent-0', 'org-0/agent-1', 'org-0/agent-2', 'other/other']),
      );
    // Folded, not lost: 21 runs in all, 17 of them beyond the bound.
    expect(text).toContain('astromesh_runs_total{org="org-0",agent="agent-0",kind="run",outcome="ok"} 2');
    expect(text).toContain('astromesh_runs_total{org="other",agent="other",kind="run",outcome="ok"} 17');
    expect(text).toContain('astromesh_tokens_total{org="other",agent="other",direction="in"} 1700');
  });

  it('holds the default bound', async () => {
    const metrics = createApiMetrics();

    for (let index = 0; index < maxOrgAgentLabelPairs + 50; index += 1) metrics.recordRun(aRun(`org-${index}`, 'bot'));
    const pairs = pairsOf(await metrics.render(), 'astromesh_tokens_total');

    expect(pairs.size).toBe(maxOrgAgentLabelPairs + 1);
    expect(pairs.has('other/other')).toBe(true);
  });
});
