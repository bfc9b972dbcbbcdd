import type pg from 'pg';
import type { Logger } from 'pino';
import type { ApplyOptions, DeployBackend } from '../backends/deploy-backend.ts';
import { DeployTimeout } from '../backends/deploy-timeout.ts';
import { compileWizardConfig } from '../compiler/compile-wizard-config.ts';
import { type Database, inTransaction } from '../db/database.ts';
import { AppError } from '../errors.ts';
import { type AgentRecord, listDeployedAgents, listPausedAgents } from '../stores/agents-store.ts';
import type { McpToolServersOf } from './mcp-servers/mcp-tool-servers-of.ts';

/** Reads an org's runtime credentials (decrypted provider keys) inside the caller's transaction. */
export type CredentialsOf = (client: pg.PoolClient, orgId: string) => Promise<Record<string, string>>;

export interface OrgDeploymentDeps {
  db: Database;
  backend: DeployBackend;
  credentialsOf: CredentialsOf;
  /** The org's MCP servers, for agents whose step3.mcp_servers names them; unset: bare entries. */
  mcpToolServersOf?: McpToolServersOf;
  log: Logger;
  /** Counts a change under way as the org's activity (the idle sweep must not put it to sleep meanwhile). */
  orgActivity?: OrgActivity;
}

/** Marks the start of something the org is busy with; the function returned marks its end. */
export interface OrgActivity {
  begin(orgSlug: string): () => void;
}

export interface OrgRef {
  id: string;
  slug: string;
}

/**
 * The backend could not make the org's runtime serve a change: 504 deploy_timeout when it was
 * not served in time, 502 deployment_failed otherwise. The change was rolled back.
 */
export class OrgDeploymentFailed extends AppError {
  constructor(cause: unknown) {
    const timedOut = cause instanceof DeployTimeout;
    super(
      timedOut ? 'deploy_timeout' : 'deployment_failed',
      timedOut ? 504 : 502,
      `the org's runtime could not apply the change: ${(cause as Error).message}`,
      { cause },
    );
  }
}

/**
 * Serialises every change of one org's deployment, across API replicas too: two deploys of one
 * org never apply interleaved states. Held until the caller's transaction ends.
 */
export async function lockOrgDeployment(client: pg.PoolClient, orgId: string): Promise<void> {
  await client.query("SELECT pg_advisory_xact_lock(hashtext('astromesh-org-deployment:' || $1))", [orgId]);
}

/**
 * Applies what the database (as this transaction sees it) says the org should run. Called inside
 * the transaction that changes it, before commit: if the backend fails, the change rolls back and
 * the database never claims a deployment that did not happen.
 */
export async function applyOrgDeployment(
  client: pg.PoolClient,
  deps: { backend: DeployBackend; credentialsOf: CredentialsOf; mcpToolServersOf?: McpToolServersOf },
  org: OrgRef,
  options: ApplyOptions = {},
): Promise<void> {
  const mcp = await deps.mcpToolServersOf?.(client, org.id);
  const compile = (records: AgentRecord[]) =>
    records.map((agent) =>
      compileWizardConfig({ orgSlug: org.slug, config: agent.config, version: agent.version ?? undefined, mcp }),
    );
  const agents = compile(await listDeployedAgents(client, org.id));
  const pausedAgents = compile(await listPausedAgents(client, org.id));
  const credentials = await deps.credentialsOf(client, org.id);
  try {
    await deps.backend.applyOrg({ orgSlug: org.slug, agents, pausedAgents, credentials }, options);
  } catch (err) {
    throw new OrgDeploymentFailed(err);
  }
}

/**
 * Runs `work` in a transaction that holds the org's deployment lock; `work` changes the database
 * and calls applyOrgDeployment. When the backend fails, the transaction rolls back, and what the
 * backend was already given of the change (a CloudAgent applied before the timeout) is put back
 * to what the database says, so the two agree again.
 */
export async function inOrgDeploymentTransaction<T>(
  deps: OrgDeploymentDeps,
  org: OrgRef,
  work: (client: pg.PoolClient) => Promise<T>,
): Promise<T> {
  // A change waits up to the deploy timeout for the runtime to serve it, longer than a short idle
  // time: counted as a call in flight, the org is not put to sleep under the deploy that wakes it.
  const endActivity = deps.orgActivity?.begin(org.slug);
  try {
    // The transaction holds the org's lock while the backend applies the change (up to the deploy
    // timeout): it gets the held-transaction limits, not those of a request's statements.
    return await inTransaction(
      deps.db,
      async (client) => {
        await lockOrgDeployment(client, org.id);
        return work(client);
      },
      { waitsOutsideDatabase: true },
    );
  } catch (err) {
    if (err instanceof OrgDeploymentFailed) {
      await restoreOrgDeployment(deps, org).catch((restoreErr: unknown) =>
        // The periodic resync (kubernetes backend) tries again; the caller still sees the first error.
        deps.log.error(
          { err: restoreErr, org: org.slug },
          'org deployment could not be restored after a failed change',
        ),
      );
    }
    throw err;
  } finally {
    endActivity?.();
  }
}

/**
 * Makes the backend hold what the database says the org deploys, without waiting for the
 * runtime to serve it: after a restart, on resync, after a failed change.
 */
export async function restoreOrgDeployment(deps: Omit<OrgDeploymentDeps, 'log'>, org: OrgRef): Promise<void> {
  // Waits for the org's lock, which a deploy under way holds up to the deploy timeout.
  await inTransaction(
    deps.db,
    async (client) => {
      await lockOrgDeployment(client, org.id);
      await applyOrgDeployment(client, deps, org, { waitUntilServed: false });
    },
    { waitsOutsideDatabase: true },
  );
}
