import { createHmac, randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { orgMemoryCredentialsOf } from './org-memory-credentials-of.ts';

const adminUrl = 'postgres://memory_admin:admin-secret@db.internal:5433/memory?sslmode=require';

describe('orgMemoryCredentialsOf', () => {
  it("names the role after the org's memory schema and keeps the admin URL's server and database", () => {
    const masterKey = randomBytes(32);

    const credentials = orgMemoryCredentialsOf({ adminUrl, masterKey, orgSlug: 'acme-corp' });

    expect(credentials.role).toBe('astromesh_org_acme_corp');
    const url = new URL(credentials.url);
    expect(url.username).toBe('astromesh_org_acme_corp');
    expect(decodeURIComponent(url.password)).toBe(credentials.password);
    expect(`${url.host}${url.pathname}${url.search}`).toBe('db.internal:5433/memory?sslmode=require');
    expect(credentials.url).not.toContain('admin-secret');
  });

  it('derives the password from the master key and the org: the same every time, different per org', () => {
    const masterKey = randomBytes(32);
    const of = (orgSlug: string, key = masterKey) => orgMemoryCredentialsOf({ adminUrl, masterKey: key, orgSlug });

    expect(of('acme').password).toBe(of('acme').password);
    expect(of('acme').password).toBe(createHmac('sha256', masterKey).update('memory:acme').digest('base64url'));
    expect(of('acme').password).not.toBe(of('globex').password);
    expect(of('acme').password).not.toBe(of('acme', randomBytes(32)).password);
  });
});
