import { describe, expect, it } from 'vitest';
import { runTool } from '../test-support/a-tool-context.ts';
import { replyJson, startFakeHttpServer } from '../test-support/start-fake-http-server.ts';
import { graphqlQuery } from './graphql-query.ts';

const loopbackAllowed = { allow_localhost: true };

describe('graphql_query', () => {
  it('posts the query and variables and returns the data', async () => {
    const api = await startFakeHttpServer((_, response) => replyJson(response, 200, { data: { user: { id: '1' } } }));

    const result = await runTool(
      graphqlQuery,
      { endpoint: `${api.url}/graphql`, query: 'query($id: ID!) { user(id: $id) { id } }', variables: { id: '1' } },
      { config: loopbackAllowed },
    );

    expect(result).toEqual({ status_code: 200, data: { user: { id: '1' } } });
    expect(JSON.parse(api.requests[0]?.body ?? '')).toEqual({
      query: 'query($id: ID!) { user(id: $id) { id } }',
      variables: { id: '1' },
    });
  });

  it('passes on the GraphQL errors for the model to read', async () => {
    const api = await startFakeHttpServer((_, response) =>
      replyJson(response, 200, { errors: [{ message: 'Cannot query field "nope"' }] }),
    );

    const result = await runTool(graphqlQuery, { endpoint: api.url, query: '{ nope }' }, { config: loopbackAllowed });

    expect(result).toEqual({ status_code: 200, errors: [{ message: 'Cannot query field "nope"' }] });
  });

  it('sends the caller headers', async () => {
    const api = await startFakeHttpServer((_, response) => replyJson(response, 200, { data: {} }));

    await runTool(
      graphqlQuery,
      { endpoint: api.url, query: '{ a }', headers: { Authorization: 'Bearer t' } },
      { config: loopbackAllowed },
    );

    expect(api.requests[0]?.headers.authorization).toBe('Bearer t');
  });

  it('fails when the endpoint does not answer with a GraphQL response', async () => {
    const api = await startFakeHttpServer((_, response) => response.writeHead(502).end('<html>Bad gateway</html>'));

    const running = runTool(graphqlQuery, { endpoint: api.url, query: '{ a }' }, { config: loopbackAllowed });

    await expect(running).rejects.toMatchObject({ code: 'failed', message: expect.stringMatching(/HTTP 502/) });
  });

  it('refuses a loopback endpoint without allow_localhost', async () => {
    const api = await startFakeHttpServer();

    const running = runTool(graphqlQuery, { endpoint: api.url, query: '{ a }' });

    await expect(running).rejects.toMatchObject({ code: 'refused' });
  });
});
