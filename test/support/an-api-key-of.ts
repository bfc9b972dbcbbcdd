import type { TestApi } from './start-test-api.ts';

/** Creates an API key of `org` (as a manager, `token`) and returns its id and its one-time secret. */
export async function anApiKeyOf(
  api: TestApi,
  options: { org: string; token: string; role?: 'admin' | 'member'; name?: string },
): Promise<{ id: string; secret: string; prefix: string }> {
  const response = await api.request(`/orgs/${options.org}/keys`, {
    method: 'POST',
    token: options.token,
    body: JSON.stringify({ name: options.name ?? 'test key', role: options.role ?? 'member' }),
  });
  const body = (await response.json()) as { id: string; secret: string; prefix: string };
  if (response.status !== 201) throw new Error(`key creation failed: ${response.status} ${JSON.stringify(body)}`);
  return { id: body.id, secret: body.secret, prefix: body.prefix };
}
