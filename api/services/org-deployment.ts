import type pg from 'pg';
import type { DeployBackend } from '../backends/deploy-backend.ts';
import { compileWizardConfig } from '../compiler/compile-wizard-config.ts';
import { AppError } from '../errors.ts';
import { listDeployedAgents } from '../stores/agents-store.ts';

/** Reads an org's runtime credentials (decrypted provider keys) inside the caller's transaction. */
export type CredentialsOf = (client: pg.PoolClient, orgId: string) => Promise<Record<string, string>>;

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
  deps: { backend: DeployBackend; credentialsOf: CredentialsOf },
  org: { id: string; slug: string },
): Promise<void> {
  const agents = (await listDeployedAgents(client, org.id)).map((agent) =>
    compileWizardConfig({ orgSlug: org.slug, config: agent.config }),
  );
  const credentials = await deps.credentialsOf(client, org.id);
  try {
    await deps.backend.applyOrg({ orgSlug: org.slug, agents, credentials });
  } catch (err) {
    throw new AppError(
      'deployment_failed',
      502,
      `the org's runtime could not apply the change: ${(err as Error).message}`,
      {
        cause: err,
      },
    );
  }
}
