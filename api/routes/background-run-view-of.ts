import type { BackgroundRunView } from '../schemas/background-run.ts';
import type { RunAgentAnswer } from '../schemas/run-agent-answer.ts';
import type { BackgroundRunRecord } from '../stores/background-runs-store.ts';

/** A background run as GET …/runs/{run_id} answers it, with the links to follow it. */
export function backgroundRunViewOf(
  run: BackgroundRunRecord,
  where: { slug: string; apiPrefix: string },
): BackgroundRunView {
  const self = `${where.apiPrefix}/orgs/${encodeURIComponent(where.slug)}/runs/${run.id}`;
  return {
    id: run.id,
    agent: run.agentName,
    status: run.status,
    origin: { kind: run.origin.kind, id: 'id' in run.origin ? run.origin.id : null },
    cancel_requested: run.cancelRequestedAt !== null,
    created_at: run.createdAt.toISOString(),
    started_at: run.startedAt?.toISOString() ?? null,
    finished_at: run.finishedAt?.toISOString() ?? null,
    // Written by the API from a RunAgentAnswer (runAgentAnswerOf), read back as stored.
    result: run.result as RunAgentAnswer | null,
    error: run.error,
    links: { self, events: `${self}/events`, cancel: `${self}/cancel` },
  };
}
