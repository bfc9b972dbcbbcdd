import { ApiError, errorBodyOf } from './api-error.ts';

export const apiPrefix = '/api/v1';

export interface ApiClient {
  /** A JSON request to `/api/v1<path>` with the session's access token; throws ApiError on non-2xx. */
  request<T>(method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE', path: string, body?: unknown): Promise<T>;
}

/**
 * The API as Studio calls it. An access token expires (ASTROMESH_ACCESS_TOKEN_TTL_SECONDS); on a 401 the client renews
 * it once through the session cookie and tries again, so a long-open page keeps working.
 */
export function createApiClient(deps: {
  accessToken: () => string | undefined;
  /** Renews the access token; false when the session has ended. */
  renew: () => Promise<boolean>;
}): ApiClient {
  async function send(method: string, path: string, body: unknown): Promise<Response> {
    const headers: Record<string, string> = { accept: 'application/json' };
    const token = deps.accessToken();
    if (token) headers.authorization = `Bearer ${token}`;
    if (body !== undefined) headers['content-type'] = 'application/json';
    return fetch(`${apiPrefix}${path}`, {
      method,
      headers,
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
  }

  return {
    async request<T>(method: string, path: string, body?: unknown): Promise<T> {
      let response = await send(method, path, body);
      if (response.status === 401 && (await deps.renew())) response = await send(method, path, body);
      if (!response.ok) throw new ApiError(await errorBodyOf(response));
      return (response.status === 204 ? undefined : await response.json()) as T;
    },
  };
}
