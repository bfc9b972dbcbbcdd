import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { createTestDatabase } from '../../test/support/test-database.ts';
import type { ApplyOptions, DeployBackend, OrgDeployment } from '../backends/deploy-backend.ts';
import { createDatabase, type Database } from '../db/database.ts';
import { migrate } from '../db/migrate.ts';
import { WizardConfig } from '../schemas/wizard-config.ts';
import { type AgentStatus, insertAgent, setAgentStatus } from '../stores/agents-store.ts';
import { insertOrg } from '../stores/orgs-store.ts';
import { reconcileDeployments } from './reconcile-deployments.ts';

/** A backend that records what it is asked to apply, and fails for the orgs named. */
function aRecordingBackend(options: { failFor?: string[] } = {}) {
  const applied: OrgDeployment[] = [];
  const applyOptions: (ApplyOptions | undefined)[] = [];
  const backend: DeployBackend = {
    async applyOrg(deployment, given) {
      if (options.failFor?.includes(deployment.orgSlug)) throw new Error('runtime did not start');
      applied.push(deployment);
      applyOptions.push(given);
    },
    endpointOf: async () => undefined,
    close: async () => {},
  };
  return { backend, applied, applyOptions };
}

describe('reconcileDeployments', () => {
  const cleanups: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });

  async function aDatabase(): Promise<Database> {
    const database = await createTestDatabase();
    cleanups.push(() => database.drop());
    const db = createDatabase(database.url, { log: pino({ level: 'silent' }) });
    cleanups.push(() => db.end());
    await migrate(db);
    return db;
  }

  async function anOrgWith(db: Database, slug: string, agents: Record<string, AgentStatus>): Promise<void> {
    const org = await insertOrg(db, { slug, displayName: slug });
    for (const [name, status] of Object.entries(agents)) {
      const config = WizardConfig.parse({ name, step1: { model: 'openai/gpt-4o-mini' } });
      const agent = await insertAgent(db, { orgId: org?.id as string, config });
      if (status !== 'draft') await setAgentStatus(db, agent?.id as string, status);
    }
  }

  const credentialsOf = async () => ({ OPENAI_API_KEY: 'sk-from-the-database' });
  const log = pino({ level: 'silent' });

  it('applies every org with a deployed agent, with exactly its deployed and paused agents and credentials', async () => {
    const db = await aDatabase();
    await anOrgWith(db, 'acme', { 'support-bot': 'deployed', 'faq-bot': 'draft', 'old-bot': 'paused' });
    await anOrgWith(db, 'globex', { 'sales-bot': 'deployed' });
    const { backend, applied } = aRecordingBackend();

    const summary = await reconcileDeployments({ db, backend, credentialsOf, log });

    expect(summary).toEqual({ applied: ['acme', 'globex'], failed: [] });
    expect(
      applied
        .map((deployment) => ({
          org: deployment.orgSlug,
          agents: deployment.agents.map((agent) => agent.metadata.name),
          paused: deployment.pausedAgents.map((agent) => agent.metadata.name),
          credentials: deployment.credentials,
        }))
        .sort((a, b) => a.org.localeCompare(b.org)),
    ).toEqual([
      {
        org: 'acme',
        agents: ['acme__support-bot'],
        paused: ['acme__old-bot'],
        credentials: { OPENAI_API_KEY: 'sk-from-the-database' },
      },
      {
        org: 'globex',
        agents: ['globex__sales-bot'],
        paused: [],
        credentials: { OPENAI_API_KEY: 'sk-from-the-database' },
      },
    ]);
  });

  it('applies an org whose agents are all paused, so their paused CloudAgents come back too', async () => {
    const db = await aDatabase();
    await anOrgWith(db, 'resting', { 'paused-bot': 'paused', 'draft-bot': 'draft' });
    const { backend, applied } = aRecordingBackend();

    const summary = await reconcileDeployments({ db, backend, credentialsOf, log });

    expect(summary).toEqual({ applied: ['resting'], failed: [] });
    expect(applied.map((deployment) => [deployment.agents.length, deployment.pausedAgents.length])).toEqual([[0, 1]]);
  });

  it('leaves orgs with only drafts alone, since drafts have no deployment', async () => {
    const db = await aDatabase();
    await anOrgWith(db, 'idle', { 'draft-bot': 'draft' });
    const { backend, applied } = aRecordingBackend();

    const summary = await reconcileDeployments({ db, backend, credentialsOf, log });

    expect(summary).toEqual({ applied: [], failed: [] });
    expect(applied).toEqual([]);
  });

  it('only restores the desired state, without waiting for runtimes to serve it', async () => {
    const db = await aDatabase();
    await anOrgWith(db, 'acme', { 'support-bot': 'deployed' });
    const { backend, applyOptions } = aRecordingBackend();

    await reconcileDeployments({ db, backend, credentialsOf, log });

    expect(applyOptions).toEqual([{ waitUntilServed: false }]);
  });

  it('reports an org whose runtime cannot start and still applies the others', async () => {
    const db = await aDatabase();
    await anOrgWith(db, 'broken', { bot: 'deployed' });
    await anOrgWith(db, 'healthy', { bot: 'deployed' });
    const { backend, applied } = aRecordingBackend({ failFor: ['broken'] });

    const summary = await reconcileDeployments({ db, backend, credentialsOf, log });

    expect(summary).toEqual({ applied: ['healthy'], failed: ['broken'] });
    expect(applied.map((deployment) => deployment.orgSlug)).toEqual(['healthy']);
  });
});
