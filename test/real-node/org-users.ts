import { expect } from 'vitest';
import type { FakeProvider } from '../fakes/fake-provider.ts';
import { startFakeProvider } from '../fakes/start-fake-provider.ts';
import { devLogin } from '../support/dev-login.ts';
import { jsonOf } from '../support/json-of.ts';
import type { AttachedNode } from './attach-real-node.ts';
import { release } from './install-astromesh.ts';

export interface OrgUser {
  org: string;
  token: string;
  /** A request to `/api/v1/orgs/<org><path>` with the user's token. */
  as(path: string, init?: RequestInit): Promise<Response>;
}

export const post = (body?: unknown): RequestInit => ({
  method: 'POST',
  headers: { 'content-type': 'application/json' },
  ...(body === undefined ? {} : { body: JSON.stringify(body) }),
});

export const aSupportBot = {
  name: 'support-bot',
  step1: { model: 'openai/gpt-4o-mini' },
  step2: { persona: 'Support Agent', system_prompt: 'Answer questions about Acme orders.' },
};

/** Dev login through the installed API: a fresh user with an org of its own. */
export async function signIn(apiUrl: string): Promise<OrgUser> {
  const user = await devLogin(apiUrl);
  return {
    ...user,
    as: (path, init = {}) =>
      fetch(`${apiUrl}/api/v1/orgs/${user.org}${path}`, {
        ...init,
        headers: { ...(init.headers as Record<string, string>), authorization: `Bearer ${user.token}` },
      }),
  };
}

export interface PodsProvider {
  fake: FakeProvider;
  /** The fake's base URL as pods reach it. */
  baseUrl: string;
  close(): Promise<void>;
}

/**
 * A fake OpenAI in this test process that pods reach at the address the chart's
 * runtime.egressAllow names (release.providerAddress:providerPort), through a relay in the node.
 */
export async function startFakeProviderForPods(node: AttachedNode): Promise<PodsProvider> {
  const fake = await startFakeProvider('openai');
  const exposed = await node.exposeToNode({
    address: release.providerAddress,
    port: release.providerPort,
    localPort: Number(new URL(fake.url).port),
  });
  return {
    fake,
    baseUrl: `http://${release.providerAddress}:${release.providerPort}${new URL(fake.baseUrl).pathname}`,
    close: async () => {
      await exposed.close();
      await fake.close();
    },
  };
}

/** A fresh org whose OpenAI key points at the fake, with support-bot created and deployed. */
export async function aDeployedOrg(apiUrl: string, providerBaseUrl: string): Promise<OrgUser> {
  const user = await signIn(apiUrl);
  const saved = await user.as(
    '/providers',
    post({ provider: 'openai', api_key: 'sk-test-key', base_url: providerBaseUrl }),
  );
  expect(saved.status, JSON.stringify(await jsonOf(saved.clone()))).toBe(200);
  const created = await user.as('/agents', post(aSupportBot));
  expect(created.status, JSON.stringify(await jsonOf(created.clone()))).toBe(201);
  const deployed = await user.as('/agents/support-bot/deploy', post());
  expect(deployed.status, JSON.stringify(await jsonOf(deployed.clone()))).toBe(200);
  return user;
}
