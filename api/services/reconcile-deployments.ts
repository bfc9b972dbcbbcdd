import type { Logger } from 'pino';
import type { DeployBackend } from '../backends/deploy-backend.ts';
import type { Database } from '../db/database.ts';
import { listOrgsWithDeployedOrPausedAgents } from '../stores/agents-store.ts';
import type { McpToolServersOf } from './mcp-servers/mcp-tool-servers-of.ts';
import { type CredentialsOf, restoreOrgDeployment } from './org-deployment.ts';

// Each apply may start a runtime process; a few at a time keeps a restart with many orgs quick
// without starting them all at once.
const concurrentOrgs = 4;

export interface ReconcileSummary {
  applied: string[];
  failed: string[];
}

/**
 * Makes every org's deployment what the database says it is. The database is the source of
 * truth (DESIGN.md decision 2): after an API restart the org runtimes come back from it, and a
 * CloudAgent deleted or edited by hand is put back. Orgs with deployed or paused agents are
 * covered (a paused agent keeps its paused CloudAgent). One org that fails is logged and does not
 * stop the others.
 */
export async function reconcileDeployments(deps: {
  db: Database;
  backend: DeployBackend;
  credentialsOf: CredentialsOf;
  mcpToolServersOf?: McpToolServersOf;
  log: Logger;
}): Promise<ReconcileSummary> {
  const log = deps.log.child({ component: 'reconcile-deployments' });
  const queue = await listOrgsWithDeployedOrPausedAgents(deps.db);
  const summary: ReconcileSummary = { applied: [], failed: [] };
  const worker = async () => {
    for (let org = queue.shift(); org; org = queue.shift()) {
      const startedAt = performance.now();
      try {
        await restoreOrgDeployment(deps, org);
        summary.applied.push(org.slug);
        // debug: the kubernetes backend resyncs every org each minute.
        log.debug({ org: org.slug, durationMs: Math.round(performance.now() - startedAt) }, 'org deployment applied');
      } catch (err) {
        summary.failed.push(org.slug);
        log.error({ err, org: org.slug }, 'org deployment could not be applied');
      }
    }
  };
  await Promise.all(Array.from({ length: concurrentOrgs }, worker));
  return summary;
}
