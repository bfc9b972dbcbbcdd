import type { FakeProvider } from '../fakes/fake-provider.ts';
import { startFakeProvider } from '../fakes/start-fake-provider.ts';
import { jsonOf } from '../support/json-of.ts';
import { type SignedIn, startTestApi, type TestApi } from '../support/start-test-api.ts';

/** The credentials one org gives the fuzzer: its owner's or admin's token and an admin API key. */
export interface FuzzOrg {
  slug: string;
  apiKey: { id: string; secret: string };
}

export interface FuzzApi {
  api: TestApi;
  /** Counts the model calls: proof that the execution routes did real work. */
  openai: FakeProvider;
  /** `http://127.0.0.1:<port>/api/v1/openapi.json`. */
  schemaUrl: string;
  /** The fuzzer's user: owner of `main`, admin of `providers` and `runs`. */
  token: string;
  /** A second session of the same user, for POST /auth/logout to end. */
  logoutToken: string;
  /** Agents, members, keys, the org itself: whatever the fuzzer does here stays here. */
  main: FuzzOrg;
  /** Provider-key routes: the fuzzer may replace or delete any key here. */
  providers: FuzzOrg;
  /** run/test and usage: `agent` is deployed here on the fake OpenAI, and nothing else touches it. */
  runs: FuzzOrg & { agent: string };
  stop(): Promise<void>;
}

const agent = 'fuzz-agent';

/**
 * The Cloud API as the fuzz suites find it: a signed-in user with an org of each kind above, an
 * admin API key per org, and a deployed agent whose model is the fake OpenAI server. The orgs
 * keep the fuzzer's own changes from sabotaging the rest of its run: deleting the provider key,
 * or the agent, that run/test need would turn every later run into a refusal.
 */
export async function startFuzzApi(options: { adminDatabaseUrl?: string } = {}): Promise<FuzzApi> {
  const openai = await startFakeProvider('openai', { maxRecordedRequests: 10 });
  const api = await startTestApi({
    adminDatabaseUrl: options.adminDatabaseUrl,
    // A long fuzz run makes thousands of runs and outlasts a default access token: neither the
    // daily limit nor an expired token may end it early.
    env: { ASTROMESH_DAILY_RUNS: '10000000', ASTROMESH_ACCESS_TOKEN_TTL_SECONDS: '86400' },
  });
  try {
    const fuzzer = await api.signIn('fuzzer@example.com');
    const logoutSession = await api.login('fuzzer@example.com');
    const providers = await orgAdministeredBy(api, 'fuzz-providers@example.com');
    const runs = await orgAdministeredBy(api, 'fuzz-runs@example.com');
    const inRuns = (path: string, body: unknown) =>
      expectOk(api.request(`/orgs/${runs.slug}${path}`, { ...post(body), token: fuzzer.token }));

    await inRuns('/providers', { provider: 'openai', api_key: 'sk-fuzz', base_url: openai.baseUrl });
    await inRuns('/agents', { name: agent, step1: { model: 'openai/gpt-4o-mini' } });
    await inRuns(`/agents/${agent}/deploy`, {});

    return {
      api,
      openai,
      schemaUrl: `${api.url}/api/v1/openapi.json`,
      token: fuzzer.token,
      logoutToken: logoutSession.token,
      main: { slug: fuzzer.org, apiKey: await adminKeyOf(api, fuzzer, fuzzer.org) },
      providers: { slug: providers.slug, apiKey: await adminKeyOf(api, fuzzer, providers.slug) },
      runs: { slug: runs.slug, apiKey: await adminKeyOf(api, fuzzer, runs.slug), agent },
      async stop() {
        await api.stop();
        await openai.close();
      },
    };
  } catch (err) {
    await api.stop();
    await openai.close();
    throw err;
  }
}

/** A second user's org, with the fuzzer invited as admin. */
async function orgAdministeredBy(api: TestApi, ownerEmail: string): Promise<{ slug: string }> {
  const owner = await api.signIn(ownerEmail);
  await expectOk(owner.as('/members/invite', post({ email: 'fuzzer@example.com', role: 'admin' })));
  return { slug: owner.org };
}

async function adminKeyOf(api: TestApi, fuzzer: SignedIn, slug: string): Promise<{ id: string; secret: string }> {
  const body = await expectOk(
    api.request(`/orgs/${slug}/keys`, { ...post({ name: 'fuzzer', role: 'admin' }), token: fuzzer.token }),
  );
  return { id: body.id, secret: body.secret };
}

const post = (body: unknown): RequestInit => ({ method: 'POST', body: JSON.stringify(body) });

// biome-ignore lint/suspicious/noExplicitAny: setup responses are read loosely; a wrong shape fails the setup
async function expectOk(pending: Promise<Response>): Promise<any> {
  const response = await pending;
  const body = await jsonOf(response);
  if (!response.ok) throw new Error(`fuzz setup: ${response.status} ${JSON.stringify(body)}`);
  return body;
}
