import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../../../test/support/test-database.ts';
import { createOrgMemoryProvisioner, type OrgMemoryProvisioner } from './create-org-memory-provisioner.ts';

const masterKey = randomBytes(32);
const log = pino({ level: 'silent' });

describe('the org memory provisioner', () => {
  let database: TestDatabase;
  let replicas: OrgMemoryProvisioner[];
  const slugs = Array.from({ length: 8 }, (_, index) => `prov-${randomBytes(3).toString('hex')}-${index}`);

  beforeAll(async () => {
    database = await createTestDatabase();
    // Two API replicas, each with its own pool, as in a cluster.
    replicas = [0, 1].map(() => createOrgMemoryProvisioner({ adminUrl: database.url, masterKey, log }));
  });

  afterAll(async () => {
    await Promise.all(replicas?.map((replica) => replica.close()) ?? []);
    await database?.drop();
    const admin = new pg.Client({ connectionString: database.url.replace(/\/[^/]+$/, '/postgres') });
    await admin.connect();
    for (const slug of slugs) await admin.query(`DROP ROLE IF EXISTS ${pg.escapeIdentifier(roleOf(slug))}`);
    await admin.end();
  });

  const roleOf = (slug: string) => `astromesh_org_${slug.replaceAll('-', '_')}`;

  it('provisions many orgs at once, from two replicas, each into a schema of its own', async () => {
    // Every org's grants change the same database ACL row: done at once, PostgreSQL refused all but
    // one with "tuple concurrently updated", and that org's deploy failed with a 502.
    const urls = await Promise.all(slugs.map((slug, index) => replicas[index % 2]?.provision(slug)));

    for (const [index, url] of urls.entries()) {
      const client = new pg.Client({ connectionString: url });
      await client.connect();
      const { rows } = await client.query<{ user: string; owner: string }>(
        'SELECT current_user AS user, pg_get_userbyid(nspowner) AS owner FROM pg_namespace WHERE nspname = current_user',
      );
      await client.end();
      expect(rows).toEqual([{ user: roleOf(slugs[index] ?? ''), owner: roleOf(slugs[index] ?? '') }]);
    }
  });
});
