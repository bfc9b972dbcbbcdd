import { Role, type SendMessageRequest, TaskState } from '@a2a-js/sdk';
import {
  ClientFactory,
  ClientFactoryOptions,
  DefaultAgentCardResolver,
  JsonRpcTransportFactory,
} from '@a2a-js/sdk/client';
import { afterEach, describe, expect, it } from 'vitest';
import { fakeReply } from '../fakes/fake-reply.ts';
import { anApiKeyOf } from '../support/an-api-key-of.ts';
import { eventually } from '../support/eventually.ts';
import { jsonOf } from '../support/json-of.ts';
import { post } from '../support/post.ts';
import { startOrgWithADeployedBot } from '../support/start-org-with-a-deployed-bot.ts';
import type { TestApi } from '../support/start-test-api.ts';

// Issue 16, item 3: every deployed agent is an A2A agent (protocol v1.0, JSON-RPC binding) that
// the official A2A JS SDK's client finds by its card and calls with an API key.

describe('A2A for deployed agents', () => {
  const cleanups: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });

  const anOrgWithADeployedBot = (env?: Record<string, string>) =>
    startOrgWithADeployedBot((stop) => cleanups.push(stop), { env });

  const agentUrl = (api: TestApi, org: string, agent = 'support-bot') => `${api.url}/api/v1/orgs/${org}/a2a/${agent}`;
  // The SDK resolves `.well-known/agent-card.json` against its base URL: the trailing slash keeps the agent's name.
  const baseUrl = (api: TestApi, org: string) => `${agentUrl(api, org)}/`;

  /**
   * The SDK's client factory, its card resolver and JSON-RPC transport sending `X-API-Key` on every
   * request; `legacyCompat` lets it speak A2A v0.3 to an interface that says 0.3.
   */
  function a2aClients(apiKey?: string, options: { legacyCompat?: boolean } = {}) {
    const fetchImpl: typeof fetch = (url, init) => {
      const headers = new Headers(init?.headers);
      if (apiKey) headers.set('X-API-Key', apiKey);
      return fetch(url, { ...init, headers });
    };
    const legacyCompat = { enabled: options.legacyCompat === true };
    return new ClientFactory(
      ClientFactoryOptions.createFrom(ClientFactoryOptions.default, {
        transports: [new JsonRpcTransportFactory({ fetchImpl, legacyCompat })],
        cardResolver: new DefaultAgentCardResolver({ fetchImpl }),
      }),
    );
  }

  const userMessage = (text: string, contextId?: string): SendMessageRequest => ({
    message: {
      messageId: crypto.randomUUID(),
      role: Role.ROLE_USER,
      parts: [{ content: { $case: 'text', value: text }, filename: '', mediaType: '', metadata: undefined }],
      contextId: contextId ?? '',
      taskId: '',
      metadata: undefined,
      extensions: [],
      referenceTaskIds: [],
    },
    tenant: '',
    metadata: undefined,
    configuration: undefined,
  });

  const textOf = (parts: { content?: { $case: string; value: unknown } }[] = []) =>
    parts.map((part) => (part.content?.$case === 'text' ? String(part.content.value) : '')).join('');

  async function errorOf(promise: Promise<unknown>): Promise<unknown> {
    try {
      await promise;
    } catch (err) {
      return err;
    }
    throw new Error('expected the call to fail');
  }

  it('publishes a card the SDK resolves: the JSON-RPC interface, streaming, the agent as its skill, API-key security', async () => {
    const { api, owner, key } = await anOrgWithADeployedBot();

    const client = await a2aClients(key.secret).createFromUrl(baseUrl(api, owner.org));
    const card = await client.getAgentCard();

    expect(card).toMatchObject({
      name: 'support-bot',
      version: '1',
      supportedInterfaces: [
        { url: agentUrl(api, owner.org), protocolBinding: 'JSONRPC', protocolVersion: '1.0' },
        { url: agentUrl(api, owner.org), protocolBinding: 'JSONRPC', protocolVersion: '0.3' },
      ],
      capabilities: { streaming: true, pushNotifications: false },
      defaultInputModes: ['text/plain'],
      defaultOutputModes: ['text/plain'],
      skills: [expect.objectContaining({ id: 'support-bot' })],
    });
    expect(card.securitySchemes.apiKey?.scheme).toEqual({
      $case: 'apiKeySecurityScheme',
      value: expect.objectContaining({ location: 'header', name: 'X-API-Key' }),
    });
    expect(card.securityRequirements.map((requirement) => Object.keys(requirement.schemes))).toEqual([
      ['apiKey'],
      ['bearer'],
    ]);
  });

  it("answers SendMessage with the fake provider's answer, its contextId the session", async () => {
    const { api, fake, owner, key } = await anOrgWithADeployedBot();
    fake.enqueue(fakeReply.text('Your order ships on Monday.'));
    const client = await a2aClients(key.secret).createFromUrl(baseUrl(api, owner.org));

    const reply = await client.sendMessage(userMessage('When does order 77 ship?'));

    expect(reply).toMatchObject({ role: Role.ROLE_AGENT, contextId: expect.stringMatching(/^a2a-/) });
    expect(textOf('parts' in reply ? reply.parts : [])).toBe('Your order ships on Monday.');
    expect(fake.lastRequest.body.messages).toContainEqual({ role: 'user', content: 'When does order 77 ship?' });
  });

  it('streams SendStreamingMessage: the task, answer chunks that make the answer, then the task completed', async () => {
    const { api, fake, owner, key } = await anOrgWithADeployedBot();
    fake.enqueue(fakeReply.text('It leaves our warehouse in Leeds.'));
    const client = await a2aClients(key.secret).createFromUrl(baseUrl(api, owner.org));

    const events = [];
    for await (const event of client.sendMessageStream(userMessage('From where?'))) events.push(event.payload);

    const [first, ...rest] = events;
    const last = rest.pop();
    const chunks = rest.map((event) =>
      event?.$case === 'artifactUpdate' ? textOf(event.value.artifact?.parts) : 'not a chunk',
    );
    expect(first?.$case === 'task' && first.value.status?.state).toBe(TaskState.TASK_STATE_WORKING);
    expect(chunks.filter(Boolean).length).toBeGreaterThanOrEqual(3);
    expect(chunks.join('')).toBe('It leaves our warehouse in Leeds.');
    expect(last?.$case === 'statusUpdate' && last.value.status?.state).toBe(TaskState.TASK_STATE_COMPLETED);
    expect(textOf(last?.$case === 'statusUpdate' ? last.value.status?.message?.parts : [])).toBe(
      'It leaves our warehouse in Leeds.',
    );
  });

  it('fails the task, saying why, when the run fails after its first tokens', async () => {
    const { api, fake, owner, key } = await anOrgWithADeployedBot();
    fake.enqueue(fakeReply.text('It leaves our warehouse in Leeds.', { disconnectAfterDeltas: 2 }));
    const client = await a2aClients(key.secret).createFromUrl(baseUrl(api, owner.org));

    const events = [];
    for await (const event of client.sendMessageStream(userMessage('From where?'))) events.push(event.payload);

    const last = events.at(-1);
    const chunks = events.map((event) =>
      event?.$case === 'artifactUpdate' ? textOf(event.value.artifact?.parts) : '',
    );
    expect(chunks.join('')).toBe('It leaves');
    expect(last?.$case === 'statusUpdate' && last.value.status?.state).toBe(TaskState.TASK_STATE_FAILED);
    expect(last?.$case === 'statusUpdate' && last.value.status?.message?.metadata).toMatchObject({
      error: expect.any(String),
      status: expect.any(Number),
    });
  });

  it('cancels the run, its model request included, when the client aborts the stream', async () => {
    const { api, fake, owner, key } = await anOrgWithADeployedBot();
    fake.enqueue(fakeReply.text('It leaves our warehouse in Leeds.', { stallAfterDeltas: 2 }));
    const client = await a2aClients(key.secret).createFromUrl(baseUrl(api, owner.org));
    const controller = new AbortController();

    let text = '';
    const reading = (async () => {
      for await (const { payload } of client.sendMessageStream(userMessage('From where?'), {
        signal: controller.signal,
      })) {
        if (payload?.$case === 'artifactUpdate') text += textOf(payload.value.artifact?.parts);
        if (text === 'It leaves') controller.abort();
      }
    })();
    await reading.catch(() => undefined);

    expect(text).toBe('It leaves');
    await eventually(() => expect(fake.lastRequest.wasAbortedByClient).toBe(true));
  });

  it("speaks A2A v0.3 (message/send, message/stream) to the SDK's v0.3 transport on the card's 0.3 interface", async () => {
    const { api, fake, owner, key } = await anOrgWithADeployedBot();
    fake.enqueue(fakeReply.text('Order 77 ships on Monday.'), fakeReply.text('From our warehouse in Leeds.'));
    const card = await (await a2aClients(key.secret).createFromUrl(baseUrl(api, owner.org))).getAgentCard();
    const v03Only = {
      ...card,
      supportedInterfaces: card.supportedInterfaces.filter((i) => i.protocolVersion === '0.3'),
    };
    const client = await a2aClients(key.secret, { legacyCompat: true }).createFromAgentCard(v03Only);

    const reply = await client.sendMessage(userMessage('When does 77 ship?'));
    const contextId = 'contextId' in reply ? reply.contextId : '';
    const events = [];
    for await (const event of client.sendMessageStream(userMessage('From where?', contextId)))
      events.push(event.payload);

    expect(client.protocolVersion).toBe('0.3');
    expect(reply).toMatchObject({ role: Role.ROLE_AGENT, contextId: expect.stringMatching(/^a2a-/) });
    expect(textOf('parts' in reply ? reply.parts : [])).toBe('Order 77 ships on Monday.');
    const chunks = events.map((event) =>
      event?.$case === 'artifactUpdate' ? textOf(event.value.artifact?.parts) : '',
    );
    expect(chunks.join('')).toBe('From our warehouse in Leeds.');
    expect(events[0]?.$case).toBe('task');
    const last = events.at(-1);
    expect(last?.$case === 'statusUpdate' && last.value.status?.state).toBe(TaskState.TASK_STATE_COMPLETED);
    expect(fake.lastRequest.body.messages).toContainEqual({ role: 'assistant', content: 'Order 77 ships on Monday.' });
  });

  it('continues the session when a follow-up message carries the same contextId, streamed or not', async () => {
    const { api, fake, owner, key } = await anOrgWithADeployedBot();
    fake.enqueue(fakeReply.text('Order 77 ships on Monday.'), fakeReply.text('From Leeds.'), fakeReply.text('Yes.'));
    const client = await a2aClients(key.secret).createFromUrl(baseUrl(api, owner.org));

    const first = await client.sendMessage(userMessage('When does 77 ship?'));
    const contextId = 'contextId' in first ? first.contextId : '';
    await client.sendMessage(userMessage('From where?', contextId));
    const afterSecond = fake.lastRequest.body.messages;
    for await (const _event of client.sendMessageStream(userMessage('Tracked?', contextId)));

    expect(afterSecond).toContainEqual({ role: 'assistant', content: 'Order 77 ships on Monday.' });
    expect(fake.lastRequest.body.messages).toContainEqual({ role: 'assistant', content: 'From Leeds.' });
  });

  it('counts each message, streamed or not, as a run in the usage report and the audit log', async () => {
    const { api, owner, key } = await anOrgWithADeployedBot();
    const client = await a2aClients(key.secret).createFromUrl(baseUrl(api, owner.org));

    await client.sendMessage(userMessage('One'));
    for await (const _event of client.sendMessageStream(userMessage('Two')));
    const usage = await jsonOf(await owner.as('/usage?days=1'));
    await api.api.services.audit.settled();
    const audit = await jsonOf(await owner.as('/audit?action=agent.a2a_message'));

    expect(usage).toMatchObject({
      total_requests: 2,
      remaining_today: 998,
      by_agent: [{ agent: 'support-bot', requests: 2 }],
    });
    expect(audit.entries.map((entry: { summary: unknown }) => entry.summary)).toEqual(
      expect.arrayContaining([{ method: 'SendMessage' }, { method: 'SendStreamingMessage' }]),
    );
    expect(audit.entries[0]).toMatchObject({
      actor: { kind: 'api_key', id: key.id },
      target: 'support-bot',
      status: 200,
    });
  });

  it('refuses an unknown or undeployed agent with a JSON-RPC error naming it, and counts no run', async () => {
    const { api, owner, key } = await anOrgWithADeployedBot();
    await owner.as('/agents', post({ name: 'draft-bot', step1: { model: 'openai/gpt-4o-mini' } }));
    const draftCard = await fetch(`${agentUrl(api, owner.org, 'draft-bot')}/.well-known/agent-card.json`, {
      headers: { 'X-API-Key': key.secret },
    });

    const rpc = (agent: string) =>
      fetch(agentUrl(api, owner.org, agent), {
        method: 'POST',
        headers: { 'X-API-Key': key.secret, 'content-type': 'application/json' },
        body: JSON.stringify({
          jsonrpc: '2.0',
          id: 7,
          method: 'SendMessage',
          params: { message: { messageId: 'm1', role: 'ROLE_USER', parts: [{ text: 'Hi' }] } },
        }),
      });
    const unknown = await rpc('no-such-bot');
    const draft = await rpc('draft-bot');
    const usage = await jsonOf(await owner.as('/usage?days=1'));

    expect(draftCard.status).toBe(400);
    expect(unknown.status).toBe(404);
    expect(await unknown.json()).toEqual({
      jsonrpc: '2.0',
      id: 7,
      error: { code: -32000, message: "agent 'no-such-bot' not found", data: { error: 'not_found', status: 404 } },
    });
    expect(draft.status).toBe(400);
    expect(await draft.json()).toMatchObject({
      id: 7,
      error: {
        code: -32000,
        message: "Agent 'draft-bot' is in draft state. Deploy it first.",
        data: { error: 'agent_not_deployed' },
      },
    });
    expect(usage).toMatchObject({ total_requests: 0 });
  });

  it('refuses a message past the daily limit with a JSON-RPC error carrying daily_limit_reached', async () => {
    const { api, owner, key } = await anOrgWithADeployedBot({ ASTROMESH_DAILY_RUNS: '1' });
    const client = await a2aClients(key.secret).createFromUrl(baseUrl(api, owner.org));

    await client.sendMessage(userMessage('Hi'));
    const refused = await errorOf(client.sendMessage(userMessage('Again')));
    const refusedStream = await errorOf(
      (async () => {
        for await (const _event of client.sendMessageStream(userMessage('Again')));
      })(),
    );

    const refusal = {
      envelopeCode: -32000,
      message: expect.stringContaining('the org has used its 1 runs of today'),
      data: { error: 'daily_limit_reached', status: 429 },
    };
    expect(refused).toMatchObject(refusal);
    expect(refusedStream).toMatchObject(refusal);
  });

  it('answers JSON-RPC errors for a body that is not JSON-RPC, an unknown method, bad params and tasks', async () => {
    const { api, owner, key } = await anOrgWithADeployedBot();
    const rpc = (body: string) =>
      fetch(agentUrl(api, owner.org), {
        method: 'POST',
        headers: { 'X-API-Key': key.secret, 'content-type': 'application/json' },
        body,
      }).then(async (response) => ({ status: response.status, body: await response.json() }));

    const notJson = await rpc('{"jsonrpc": "2.0", ');
    const notRpc = await rpc(JSON.stringify({ id: 1, method: 'SendMessage' }));
    const unknownMethod = await rpc(JSON.stringify({ jsonrpc: '2.0', id: 2, method: 'message/teleport', params: {} }));
    const noParts = await rpc(
      JSON.stringify({
        jsonrpc: '2.0',
        id: 3,
        method: 'SendMessage',
        params: { message: { messageId: 'm', parts: [] } },
      }),
    );
    const filePart = await rpc(
      JSON.stringify({
        jsonrpc: '2.0',
        id: 4,
        method: 'SendMessage',
        params: { message: { messageId: 'm', parts: [{ text: 'a' }, { url: 'https://x/y.png' }] } },
      }),
    );
    const task = await rpc(JSON.stringify({ jsonrpc: '2.0', id: 'five', method: 'GetTask', params: { id: 't1' } }));

    expect(notJson).toMatchObject({ status: 400, body: { jsonrpc: '2.0', id: null, error: { code: -32700 } } });
    expect(notRpc).toMatchObject({
      status: 400,
      body: { id: null, error: { code: -32600, message: expect.stringContaining('jsonrpc') } },
    });
    expect(unknownMethod).toMatchObject({
      status: 400,
      body: { id: 2, error: { code: -32601, message: expect.stringContaining("'message/teleport'") } },
    });
    expect(noParts).toMatchObject({
      status: 400,
      body: { id: 3, error: { code: -32602, message: 'params.message.parts: must hold at least one text part' } },
    });
    expect(filePart).toMatchObject({
      status: 400,
      body: { id: 4, error: { code: -32602, message: 'params.message.parts[1]: only text parts are supported' } },
    });
    expect(task).toMatchObject({ status: 404, body: { id: 'five', error: { code: -32001 } } });
  });

  it("refuses no key with 401 and another org's key with 403, card and endpoint alike", async () => {
    const { api, owner } = await anOrgWithADeployedBot();
    const intruder = await api.signIn();
    const intruderKey = await anApiKeyOf(api, { org: intruder.org, token: intruder.token, role: 'admin' });

    const noKeyCard = await errorOf(a2aClients().createFromUrl(baseUrl(api, owner.org)));
    const intruderCard = await errorOf(a2aClients(intruderKey.secret).createFromUrl(baseUrl(api, owner.org)));
    const send = (apiKey?: string) =>
      fetch(agentUrl(api, owner.org), {
        method: 'POST',
        headers: { ...(apiKey ? { 'X-API-Key': apiKey } : {}), 'content-type': 'application/json' },
        body: JSON.stringify({
          jsonrpc: '2.0',
          id: 1,
          method: 'SendMessage',
          params: { message: { messageId: 'm', parts: [{ text: 'Hi' }] } },
        }),
      });
    const noKey = await send();
    const intruderSend = await send(intruderKey.secret);

    expect(noKeyCard).toMatchObject({ message: expect.stringContaining(': 401') });
    expect(intruderCard).toMatchObject({ message: expect.stringContaining(': 403') });
    expect(noKey.status).toBe(401);
    expect(await noKey.json()).toMatchObject({
      jsonrpc: '2.0',
      id: null,
      error: { code: -32000, data: { error: 'unauthorized', status: 401 } },
    });
    expect(intruderSend.status).toBe(403);
    expect(await intruderSend.json()).toMatchObject({
      error: { code: -32000, message: `you have no access to org '${owner.org}'` },
    });
  });
});
