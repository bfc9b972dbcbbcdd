import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { createBuiltinToolService } from './builtin-tool-service.ts';
import { startFakeHttpServer } from './test-support/start-fake-http-server.ts';

function aService() {
  return createBuiltinToolService({ credentials: () => undefined, log: pino({ level: 'silent' }) });
}

const liveSignal = () => new AbortController().signal;

describe('createBuiltinToolService', () => {
  it('lists every built-in tool with its name, description and parameters', () => {
    const tools = aService().list();

    expect(tools.find((tool) => tool.name === 'datetime_now')).toEqual({
      name: 'datetime_now',
      description: expect.stringMatching(/current date and time/),
      parameters: {
        type: 'object',
        properties: { timezone: expect.objectContaining({ type: 'string', default: 'UTC' }) },
      },
    });
  });

  it('runs any built-in tool outside an agent', async () => {
    const result = await aService().execute('calculator', { expression: '2 ^ 8' }, liveSignal());

    expect(result).toEqual({ success: true, data: { expression: '2 ^ 8', result: 256 } });
  });

  it('keeps the SSRF guard on', async () => {
    const server = await startFakeHttpServer();

    const result = await aService().execute('http_request', { method: 'GET', url: server.url }, liveSignal());

    expect(result).toMatchObject({ success: false, error: { code: 'refused' } });
    expect(server.requests).toEqual([]);
  });

  it('refuses file access, having no allowed_paths', async () => {
    const result = await aService().execute('read_file', { path: '/etc/passwd' }, liveSignal());

    expect(result).toMatchObject({ success: false, error: { code: 'refused' } });
  });

  it('answers invalid_input for an unknown tool', async () => {
    const result = await aService().execute('rm_rf', {}, liveSignal());

    expect(result).toMatchObject({ success: false, error: { code: 'invalid_input' } });
  });
});
