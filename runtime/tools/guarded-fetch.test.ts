import { describe, expect, it } from 'vitest';
import { freePort } from '../../test/support/free-port.ts';
import { type GuardedRequest, guardedFetch } from './guarded-fetch.ts';
import { type RecordedRequest, startFakeHttpServer } from './test-support/start-fake-http-server.ts';

function aRequest(overrides: Partial<GuardedRequest> = {}): GuardedRequest {
  return {
    url: 'http://127.0.0.1:9/',
    policy: { allowLocalhost: false, allowPrivateNetwork: false },
    timeoutMs: 5_000,
    maxResponseBytes: 1024 * 1024,
    signal: new AbortController().signal,
    ...overrides,
  };
}

const allowLocalhost = { allowLocalhost: true, allowPrivateNetwork: false };

describe('guardedFetch', () => {
  describe('refusing internal addresses', () => {
    it('refuses http://127.0.0.1 without connecting', async () => {
      const server = await startFakeHttpServer();

      const fetching = guardedFetch(aRequest({ url: `http://127.0.0.1:${server.port}/` }));

      await expect(fetching).rejects.toMatchObject({ code: 'refused', message: expect.stringMatching(/loopback/) });
      expect(server.requests).toEqual([]);
    });

    it('refuses the name localhost', async () => {
      const server = await startFakeHttpServer();

      const fetching = guardedFetch(aRequest({ url: `http://localhost:${server.port}/` }));

      await expect(fetching).rejects.toMatchObject({ code: 'refused', message: expect.stringMatching(/loopback/) });
    });

    it('refuses http://[::1]', async () => {
      const fetching = guardedFetch(aRequest({ url: 'http://[::1]:8080/' }));

      await expect(fetching).rejects.toMatchObject({
        code: 'refused',
        message: expect.stringMatching(/::1.*loopback/),
      });
    });

    it('refuses the cloud metadata address', async () => {
      const fetching = guardedFetch(aRequest({ url: 'http://169.254.169.254/latest/meta-data' }));

      await expect(fetching).rejects.toMatchObject({
        code: 'refused',
        message: expect.stringMatching(/cloud metadata/),
      });
    });

    it('refuses the cloud metadata name metadata.google.internal', async () => {
      const fetching = guardedFetch(aRequest({ url: 'http://metadata.google.internal/computeMetadata/v1/' }));

      await expect(fetching).rejects.toMatchObject({ code: 'refused', message: expect.stringMatching(/metadata/) });
    });

    it('refuses a private address such as 10.0.0.1', async () => {
      const fetching = guardedFetch(aRequest({ url: 'http://10.0.0.1/' }));

      await expect(fetching).rejects.toMatchObject({ code: 'refused', message: expect.stringMatching(/private/) });
    });

    it('refuses the decimal form http://2130706433 of 127.0.0.1', async () => {
      const fetching = guardedFetch(aRequest({ url: 'http://2130706433/' }));

      await expect(fetching).rejects.toMatchObject({
        code: 'refused',
        message: expect.stringMatching(/127\.0\.0\.1.*loopback/),
      });
    });

    it('refuses an IPv4-mapped IPv6 address of the metadata service', async () => {
      const fetching = guardedFetch(aRequest({ url: 'http://[::ffff:169.254.169.254]/' }));

      await expect(fetching).rejects.toMatchObject({
        code: 'refused',
        message: expect.stringMatching(/cloud metadata/),
      });
    });

    it('refuses a name whose DNS answer is a loopback address', async () => {
      const server = await startFakeHttpServer();
      const resolveHost = async () => [{ address: '127.0.0.1', family: 4 }];

      const fetching = guardedFetch(aRequest({ url: `http://innocent.example:${server.port}/`, resolveHost }));

      await expect(fetching).rejects.toMatchObject({
        code: 'refused',
        message: expect.stringMatching(/innocent\.example \(127\.0\.0\.1\): loopback/),
      });
      expect(server.requests).toEqual([]);
    });

    it('refuses a name whose DNS answers mix a public and a private address', async () => {
      const resolveHost = async () => [
        { address: '93.184.216.34', family: 4 },
        { address: '10.1.2.3', family: 4 },
      ];

      const fetching = guardedFetch(aRequest({ url: 'http://rebind.example/', resolveHost }));

      await expect(fetching).rejects.toMatchObject({ code: 'refused', message: expect.stringMatching(/10\.1\.2\.3/) });
    });

    it('checks the DNS answer on every connection, so a rebinding name is refused once it turns internal', async () => {
      const server = await startFakeHttpServer();
      const answers = ['127.0.0.1', '169.254.169.254'];
      const resolveHost = async () => [{ address: answers.shift() ?? '169.254.169.254', family: 4 }];
      const policy = allowLocalhost;
      await guardedFetch(aRequest({ url: `http://rebind.example:${server.port}/`, policy, resolveHost }));

      const second = guardedFetch(aRequest({ url: `http://rebind.example:${server.port}/`, policy, resolveHost }));

      await expect(second).rejects.toMatchObject({ code: 'refused', message: expect.stringMatching(/cloud metadata/) });
    });

    it('refuses schemes other than http and https', async () => {
      const fetching = guardedFetch(aRequest({ url: 'file:///etc/passwd' }));

      await expect(fetching).rejects.toMatchObject({
        code: 'refused',
        message: expect.stringMatching(/http and https/),
      });
    });
  });

  describe('redirects', () => {
    it('refuses a redirect from an allowed host to the metadata service', async () => {
      const server = await startFakeHttpServer((_, response) => {
        response.writeHead(302, { location: 'http://169.254.169.254/latest/meta-data' }).end();
      });

      const fetching = guardedFetch(aRequest({ url: `${server.url}/start`, policy: allowLocalhost }));

      await expect(fetching).rejects.toMatchObject({
        code: 'refused',
        message: expect.stringMatching(/cloud metadata/),
      });
    });

    it('refuses a redirect to a private address', async () => {
      const server = await startFakeHttpServer((_, response) => {
        response.writeHead(307, { location: 'http://192.168.1.1/admin' }).end();
      });

      const fetching = guardedFetch(aRequest({ url: `${server.url}/start`, policy: allowLocalhost }));

      await expect(fetching).rejects.toMatchObject({ code: 'refused', message: expect.stringMatching(/private/) });
    });

    it('refuses a redirect to 0.0.0.0, which reaches the local machine, even with allow_localhost', async () => {
      const server = await startFakeHttpServer((_, response) => {
        response.writeHead(302, { location: `http://0.0.0.0:${server.port}/` }).end();
      });

      const fetching = guardedFetch(aRequest({ url: `${server.url}/start`, policy: allowLocalhost }));

      await expect(fetching).rejects.toMatchObject({ code: 'refused', message: expect.stringMatching(/unspecified/) });
    });

    it('refuses a redirect to a name whose DNS answer is loopback', async () => {
      const server = await startFakeHttpServer((_, response) => {
        response.writeHead(302, { location: 'http://internal.example/' }).end();
      });
      const resolveHost = async () => [{ address: '10.0.0.5', family: 4 }];

      const fetching = guardedFetch(aRequest({ url: `${server.url}/start`, policy: allowLocalhost, resolveHost }));

      await expect(fetching).rejects.toMatchObject({ code: 'refused', message: expect.stringMatching(/10\.0\.0\.5/) });
    });

    it('follows a redirect to an allowed address', async () => {
      const server = await startFakeHttpServer((request, response) => {
        if (request.url === '/start') response.writeHead(301, { location: '/end' }).end();
        else response.end('arrived');
      });

      const response = await guardedFetch(aRequest({ url: `${server.url}/start`, policy: allowLocalhost }));

      expect({ url: response.url, body: response.text() }).toEqual({ url: `${server.url}/end`, body: 'arrived' });
    });

    it('drops the Authorization header when a redirect leaves the origin', async () => {
      const target = await startFakeHttpServer();
      const origin = await startFakeHttpServer((_, response) => {
        response.writeHead(302, { location: `${target.url}/elsewhere` }).end();
      });

      await guardedFetch(
        aRequest({ url: origin.url, headers: { Authorization: 'Bearer secret' }, policy: allowLocalhost }),
      );

      expect(target.requests[0]?.headers.authorization).toBeUndefined();
    });

    it('turns a POST into a GET without a body on a 303', async () => {
      const server = await startFakeHttpServer((request, response) => {
        if (request.url === '/form') response.writeHead(303, { location: '/done' }).end();
        else response.end();
      });

      await guardedFetch(aRequest({ url: `${server.url}/form`, method: 'POST', body: 'a=1', policy: allowLocalhost }));

      expect(server.requests.map(({ method, body }: RecordedRequest) => ({ method, body }))).toEqual([
        { method: 'POST', body: 'a=1' },
        { method: 'GET', body: '' },
      ]);
    });

    it('gives up after five redirects', async () => {
      const server = await startFakeHttpServer((_, response) => response.writeHead(302, { location: '/again' }).end());

      const fetching = guardedFetch(aRequest({ url: server.url, policy: allowLocalhost }));

      await expect(fetching).rejects.toMatchObject({ code: 'failed', message: expect.stringMatching(/redirects/) });
    });
  });

  describe('allowing loopback', () => {
    it('reaches a loopback server when allow_localhost is set', async () => {
      const server = await startFakeHttpServer((_, response) => response.end('hello'));

      const response = await guardedFetch(aRequest({ url: server.url, policy: allowLocalhost }));

      expect({ status: response.status, body: response.text() }).toEqual({ status: 200, body: 'hello' });
    });

    it('reaches a name resolving to loopback when allow_localhost is set', async () => {
      const server = await startFakeHttpServer((_, response) => response.end('via name'));
      const resolveHost = async () => [{ address: '127.0.0.1', family: 4 }];

      const response = await guardedFetch(
        aRequest({ url: `http://service.example:${server.port}/`, policy: allowLocalhost, resolveHost }),
      );

      expect(response.text()).toBe('via name');
    });

    it('still refuses private addresses when only allow_localhost is set', async () => {
      const fetching = guardedFetch(aRequest({ url: 'http://172.16.0.1/', policy: allowLocalhost }));

      await expect(fetching).rejects.toMatchObject({ code: 'refused' });
    });
  });

  describe('limits', () => {
    it('fails with timeout when the server does not answer in time', async () => {
      const server = await startFakeHttpServer(() => {});

      const fetching = guardedFetch(aRequest({ url: server.url, policy: allowLocalhost, timeoutMs: 200 }));

      await expect(fetching).rejects.toMatchObject({ code: 'timeout', message: expect.stringMatching(/0\.2 s/) });
    });

    it('refuses a response whose declared length exceeds max_response_bytes', async () => {
      const server = await startFakeHttpServer((_, response) => response.end('x'.repeat(2048)));

      const fetching = guardedFetch(aRequest({ url: server.url, policy: allowLocalhost, maxResponseBytes: 1024 }));

      await expect(fetching).rejects.toMatchObject({
        code: 'failed',
        message: expect.stringMatching(/max_response_bytes \(1024 bytes\)/),
      });
    });

    it('stops reading a streamed response once it exceeds max_response_bytes', async () => {
      const server = await startFakeHttpServer((_, response) => {
        response.write('x'.repeat(800));
        response.end('y'.repeat(800));
      });

      const fetching = guardedFetch(aRequest({ url: server.url, policy: allowLocalhost, maxResponseBytes: 1024 }));

      await expect(fetching).rejects.toMatchObject({ code: 'failed', message: expect.stringMatching(/1024 bytes/) });
    });

    it('passes on the caller abort reason rather than a tool error', async () => {
      const server = await startFakeHttpServer(() => {});
      const controller = new AbortController();
      const fetching = guardedFetch(aRequest({ url: server.url, policy: allowLocalhost, signal: controller.signal }));

      controller.abort(new Error('run cancelled'));

      await expect(fetching).rejects.toThrow('run cancelled');
    });

    it('reports a refused connection as failed with the reason', async () => {
      const unusedPort = await freePort();

      const fetching = guardedFetch(aRequest({ url: `http://127.0.0.1:${unusedPort}/`, policy: allowLocalhost }));

      await expect(fetching).rejects.toMatchObject({ code: 'failed', message: expect.stringMatching(/ECONNREFUSED/) });
    });
  });
});
