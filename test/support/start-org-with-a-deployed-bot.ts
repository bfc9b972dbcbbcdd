import { startFakeProvider } from '../fakes/start-fake-provider.ts';
import { aSupportBot } from './a-support-bot.ts';
import { anApiKeyOf } from './an-api-key-of.ts';
import { post } from './post.ts';
import { startTestApi } from './start-test-api.ts';

/**
 * A test API whose first user's org has support-bot (`agent` over it, if given) deployed on a
 * fake OpenAI, and a member API key of that org: what the tests of each way to call an agent
 * (OpenAI-compatible, MCP, A2A) start from. `onStop` receives what stops the API and the fake.
 */
export async function startOrgWithADeployedBot(
  onStop: (stop: () => Promise<void>) => void,
  options: { env?: Record<string, string>; agent?: Record<string, unknown> } = {},
) {
  const api = await startTestApi({ env: options.env });
  onStop(() => api.stop());
  const fake = await startFakeProvider('openai');
  onStop(() => fake.close());
  const owner = await api.signIn();
  await owner.as('/providers', post({ provider: 'openai', api_key: 'sk-test-key', base_url: fake.baseUrl }));
  for (const [path, body, status] of [
    ['/agents', { ...aSupportBot, ...options.agent }, 201],
    ['/agents/support-bot/deploy', undefined, 200],
  ] as const) {
    const answer = await owner.as(path, post(body));
    if (answer.status !== status) throw new Error(`${path}: ${answer.status} ${await answer.text()}`);
  }
  const key = await anApiKeyOf(api, { org: owner.org, token: owner.token, role: 'member' });
  return { api, fake, owner, key };
}
