import type { KubeConfig, V1ConfigMap } from '@kubernetes/client-node';
import pino from 'pino';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { CloudAgentStatus } from '../../crds/cloud-agent.ts';
import { OrgRuntimeSettings } from '../../operator/config/org-runtime-settings.ts';
import { createKubeClient, type KubeClient } from '../../operator/kube/kube-client.ts';
import { cloudAgentPath, objectPath } from '../../operator/kube/object-path.ts';
import type { CloudAgent } from '../../operator/reconcile/cloud-agent-status.ts';
import { type RunningOperator, startOperator } from '../../operator/start-operator.ts';
import { parseAgentYaml } from '../../runtime/config/load-agent-file.ts';
import { aCloudAgent } from '../support/a-cloud-agent.ts';
import { applyCrds } from '../support/apply-crds.ts';
import { operatorIdentityFromChart } from '../support/chart-identity.ts';
import { eventually } from '../support/eventually.ts';
import { createOrgNamespace } from '../support/org-namespace.ts';
import { reconcileOnce } from '../support/reconcile-once.ts';
import { testKubeConfig } from '../support/test-kube.ts';

type HostileCloudAgent = ReturnType<typeof aCloudAgent>;
type AgentSpec = HostileCloudAgent['spec']['agent']['spec'];

/** `{ a: { a: … 'bottom' } }`, `levels` objects deep. */
const nested = (levels: number): Record<string, unknown> => {
  let value: Record<string, unknown> = { a: 'bottom' };
  for (let level = 1; level < levels; level++) value = { a: value };
  return value;
};
/** `count` templates of `chars` characters each: within the CRD's bounds (64 of 100,000). */
const templates = (count: number, chars: number) =>
  Object.fromEntries(
    Array.from({ length: count }, (_, index) => [`t${String(index).padStart(2, '0')}`, 'y'.repeat(chars)]),
  );
const nestedTemplateBlocks = `${'{%if a%}'.repeat(5_000)}x${'{%endif%}'.repeat(5_000)}`;
const withTool = (agent: HostileCloudAgent, tool: NonNullable<AgentSpec['tools']>[number]) => {
  agent.spec.agent.spec.tools = [tool];
};

// Each passes the CRD (the API server stores it), yet the runtime must never be given it.
const hostileSpecs: { what: string; make: (agent: HostileCloudAgent) => void; message: string | RegExp }[] = [
  {
    what: 'a tool config nested 3,000 levels deep',
    make: (agent) => withTool(agent, { name: 'http_request', config: nested(3_000) }),
    message: /^spec\.agent\.spec\.tools\[0\]\.config(\.a)+: nested deeper than 32 levels$/,
  },
  {
    what: 'model parameters nested 3,000 levels deep',
    make: (agent) => {
      agent.spec.agent.spec.model = {
        primary: { provider: 'openai', model: 'gpt-4o-mini', parameters: nested(3_000) },
      };
    },
    message: /^spec\.agent\.spec\.model\.primary\.parameters(\.a)+: nested deeper than 32 levels$/,
  },
  {
    what: "a client tool's parameters nested 3,000 levels deep",
    make: (agent) => withTool(agent, { name: 'lookup', type: 'client', parameters: nested(3_000) }),
    message: /^spec\.agent\.spec\.tools\[0\]\.parameters(\.a)+: nested deeper than 32 levels$/,
  },
  {
    what: 'a NUL in the system prompt',
    make: (agent) => {
      agent.spec.agent.spec.prompts = { system: 'You are\u0000 helpful.' };
    },
    message: 'spec.agent.spec.prompts.system: must not contain NUL (U+0000)',
  },
  {
    what: 'a NUL in the display name',
    make: (agent) => {
      agent.spec.displayName = 'Support\u0000Bot';
    },
    message: 'spec.displayName: must not contain NUL (U+0000)',
  },
  {
    what: 'a NUL in a tool config key',
    make: (agent) => withTool(agent, { name: 'http_request', config: { 'allow\u0000ed': true } }),
    message: 'spec.agent.spec.tools[0].config.allow\\u0000ed: its key must not contain NUL (U+0000)',
  },
  {
    what: 'a __proto__ key in a tool config',
    make: (agent) =>
      withTool(agent, { name: 'http_request', config: JSON.parse('{"__proto__": {"allow_localhost": true}}') }),
    message: 'spec.agent.spec.tools[0].config.__proto__: this key is not allowed',
  },
  {
    what: 'prompt templates that make an agent file of more than 1 MiB',
    make: (agent) => {
      agent.spec.agent.spec.prompts = { system: 'Hi.', templates: templates(12, 100_000) };
    },
    message:
      /^spec\.agent: its agent file is \d{7} bytes \(its largest field is spec\.agent\.spec\.prompts\.templates\.t00: 100000 bytes\), more than the 1048576 the runtime reads$/,
  },
  {
    what: 'template blocks nested past what the template parser takes',
    make: (agent) => {
      agent.spec.agent.spec.prompts = { system: nestedTemplateBlocks };
    },
    message: 'spec.agent.spec.prompts.system: template does not parse: its tags are nested too deeply',
  },
  {
    what: 'an MCP server started as a program (stdio), which runtime pods never run',
    make: (agent) => withTool(agent, { name: 'files', type: 'mcp', config: { command: 'npx', args: ['mcp-files'] } }),
    message:
      'spec.agent.spec.tools[0].config.command: this runtime runs no stdio MCP servers (--disable-mcp-stdio); use a streamable_http server (url)',
  },
  {
    what: 'an MCP server with no address',
    make: (agent) => withTool(agent, { name: 'files', type: 'mcp', config: { transport: 'streamable_http' } }),
    message: /^spec\.agent\.spec\.tools\[0\]\.config(\.url)?: .*url/,
  },
];

describe('a hostile CloudAgent', () => {
  let kubeConfig: KubeConfig;
  let admin: KubeClient;
  let operator: KubeClient;

  beforeAll(async () => {
    kubeConfig = testKubeConfig();
    await applyCrds(kubeConfig);
    admin = createKubeClient(kubeConfig);
    operator = createKubeClient((await operatorIdentityFromChart(kubeConfig)).kubeConfig);
  });

  afterAll(() => {
    admin.close();
    operator.close();
  });

  const read = <T>(path: string) => admin.call<T>({ method: 'GET', path });
  const statusOf = async (namespace: string, name: string) =>
    (await read<CloudAgent>(cloudAgentPath(namespace, name))).status as CloudAgentStatus;
  const acceptedOf = (status: CloudAgentStatus) => status.conditions?.find((c) => c.type === 'Accepted');
  const agentsConfigOf = async (namespace: string) =>
    (await read<V1ConfigMap>(objectPath({ apiVersion: 'v1', kind: 'ConfigMap', namespace, name: 'astromesh-agents' })))
      .data ?? {};

  async function create(namespace: string, orgSlug: string, name: string, make = (_agent: HostileCloudAgent) => {}) {
    const agent = aCloudAgent({ namespace, org: orgSlug, name });
    make(agent);
    await admin.call({ method: 'POST', path: cloudAgentPath(namespace), body: agent });
  }

  for (const { what, make, message } of hostileSpecs) {
    it(`with ${what} is Failed naming the field, and the org's other agent is served`, async () => {
      const { namespace, orgSlug } = await createOrgNamespace(kubeConfig);
      await create(namespace, orgSlug, 'support');
      await create(namespace, orgSlug, 'hostile', make);

      await reconcileOnce(operator, namespace);

      const status = await statusOf(namespace, 'hostile');
      expect(status.phase).toBe('Failed');
      expect(acceptedOf(status)).toMatchObject({ status: 'False', reason: 'InvalidSpec' });
      if (typeof message === 'string') expect(acceptedOf(status)?.message).toBe(message);
      else expect(acceptedOf(status)?.message).toMatch(message);
      expect(Object.keys(await agentsConfigOf(namespace))).toEqual([`${orgSlug}__support.yaml`]);
      expect((await statusOf(namespace, 'support')).phase).toBe('Deploying');
    });
  }

  it('with keys and strings that mean something in YAML or Liquid is served exactly as written', async () => {
    const { namespace, orgSlug } = await createOrgNamespace(kubeConfig);
    const config = {
      '<<': 'merge?',
      '? key': ': value',
      '&anchor': '*alias',
      '- item': '!!binary aGk=',
      '%YAML 1.2': '---\n...\n---',
      '#': '\'"`{}[],|>',
      'line\u2028separator': '\uFEFFbom and \u0085 next line',
      '{{ name }}': '{% raw %}',
    };
    await create(namespace, orgSlug, 'quoted', (agent) => withTool(agent, { name: 'http_request', config }));

    await reconcileOnce(operator, namespace);

    expect(acceptedOf(await statusOf(namespace, 'quoted'))).toMatchObject({ status: 'True' });
    const file = `${orgSlug}__quoted.yaml`;
    const yaml = (await agentsConfigOf(namespace))[file] as string;
    expect(parseAgentYaml(yaml, file).spec.tools?.[0]?.config).toEqual(config);
  });

  it("that makes the org's agents outgrow their ConfigMap is Failed, and never pushes out an agent already served", async () => {
    const { namespace, orgSlug } = await createOrgNamespace(kubeConfig);
    // Each ~600 KB as a file: one fits the 1 MiB ConfigMap, two do not.
    const large = (agent: HostileCloudAgent) => {
      agent.spec.agent.spec.prompts = { system: 'Hi.', templates: templates(6, 100_000) };
    };
    await create(namespace, orgSlug, 'support');
    await create(namespace, orgSlug, 'zeta', large);
    await reconcileOnce(operator, namespace);
    expect((await statusOf(namespace, 'zeta')).phase).toBe('Deploying');

    // Sorts first by name, and may share zeta's creation second: only acceptance decides.
    await create(namespace, orgSlug, 'alpha', large);
    await reconcileOnce(operator, namespace);

    const status = await statusOf(namespace, 'alpha');
    expect(status.phase).toBe('Failed');
    expect(acceptedOf(status)).toMatchObject({ status: 'False', reason: 'ConfigTooLarge' });
    expect(acceptedOf(status)?.message).toMatch(
      /^spec\.agent: its agent file is \d+ bytes \(its largest field is spec\.agent\.spec\.prompts\.templates\.t00: 100000 bytes\), and the org's agents created before it already take \d+ of the 1048576 bytes their ConfigMap may hold: shorten this agent, or remove or pause another$/,
    );
    expect(Object.keys(await agentsConfigOf(namespace))).toEqual([`${orgSlug}__support.yaml`, `${orgSlug}__zeta.yaml`]);
    expect((await statusOf(namespace, 'zeta')).phase).toBe('Deploying');
  });

  it('with more than 64 keys in a free-form map is refused by the API server, naming the field', async () => {
    const { namespace, orgSlug } = await createOrgNamespace(kubeConfig);
    const config = Object.fromEntries(Array.from({ length: 65 }, (_, index) => [`key${index}`, index]));

    const creating = create(namespace, orgSlug, 'wide', (agent) => withTool(agent, { name: 'http_request', config }));

    await expect(creating).rejects.toThrow(
      /422 .*spec\.agent\.spec\.tools\[0\]\.config: Too many: 65: must have at most 64 items/,
    );
  });

  // The runtime's file loader skips these tool types with a warning; a CloudAgent that would lose a
  // tool that way must never become Ready, so the CRD refuses it, and says what it takes instead.
  it('with a tool of type mcp that names its server by URL is served, with the config as written', async () => {
    const { namespace, orgSlug } = await createOrgNamespace(kubeConfig);
    const config = { url: 'https://mcp.example.com/mcp', tools: ['search'], timeout_seconds: 10 };
    await create(namespace, orgSlug, 'searcher', (agent) => withTool(agent, { name: 'docs', type: 'mcp', config }));

    await reconcileOnce(operator, namespace);

    expect(acceptedOf(await statusOf(namespace, 'searcher'))).toMatchObject({ status: 'True' });
    const file = `${orgSlug}__searcher.yaml`;
    const tool = parseAgentYaml((await agentsConfigOf(namespace))[file] as string, file).spec.tools?.[0];
    expect(tool).toMatchObject({ name: 'docs', type: 'mcp', config });
  });

  it.each(['api', 'integration', 'a2a'])(
    'with a tool of type %s is refused by the API server, naming the field and the types it takes',
    async (type) => {
      const { namespace, orgSlug } = await createOrgNamespace(kubeConfig);

      const creating = create(namespace, orgSlug, 'remote-tools', (agent) => {
        (agent.spec.agent.spec as { tools?: unknown[] }).tools = [{ name: 'weather', type }];
      });

      await expect(creating).rejects.toThrow(/: 422 /);
      await expect(creating).rejects.toThrow(
        `spec.agent.spec.tools[0].type: Unsupported value: "${type}": supported values: "builtin", "agent", "client", "mcp"`,
      );
    },
  );
});

describe('the operator, given hostile CloudAgents', () => {
  const log = pino({ level: 'silent' });
  // Other test files create org namespaces on the same API server: this operator serves only ours.
  const shard = { 'astromesh.io/test-shard': `hostile-${process.pid}-${Date.now()}` };
  let admin: KubeConfig;
  let adminKube: KubeClient;
  let running: RunningOperator | undefined;

  beforeAll(async () => {
    admin = testKubeConfig();
    await applyCrds(admin);
    adminKube = createKubeClient(admin);
  });

  afterEach(async () => {
    await running?.stop();
  });

  afterAll(() => adminKube.close());

  it('keeps serving the good agents of that org and reconciling other orgs', async () => {
    const { kubeConfig } = await operatorIdentityFromChart(admin);
    running = await startOperator({
      kubeConfig,
      settings: OrgRuntimeSettings.parse({ image: 'astromesh:test' }),
      leaderElection: undefined,
      identity: 'hostile-test',
      orgNamespaceSelector: Object.entries(shard)
        .map(([key, value]) => `${key}=${value}`)
        .join(','),
      workers: 2,
      resyncIntervalMs: 60_000,
      host: '127.0.0.1',
      port: 0,
      log,
    });
    const hostileOrg = await createOrgNamespace(admin, { labels: shard });
    const names = hostileSpecs.map((_, index) => `hostile-${index}`);
    for (const [index, { make }] of hostileSpecs.entries()) {
      const agent = aCloudAgent({ namespace: hostileOrg.namespace, org: hostileOrg.orgSlug, name: names[index] });
      make(agent);
      await adminKube.call({ method: 'POST', path: cloudAgentPath(hostileOrg.namespace), body: agent });
    }
    await adminKube.call({
      method: 'POST',
      path: cloudAgentPath(hostileOrg.namespace),
      body: aCloudAgent({ namespace: hostileOrg.namespace, org: hostileOrg.orgSlug, name: 'support' }),
    });

    const phaseOf = async (namespace: string, name: string) =>
      (await adminKube.call<CloudAgent>({ method: 'GET', path: cloudAgentPath(namespace, name) })).status?.phase;
    await eventually(
      async () => {
        for (const name of names) expect(await phaseOf(hostileOrg.namespace, name)).toBe('Failed');
        expect(await phaseOf(hostileOrg.namespace, 'support')).toBe('Deploying');
      },
      { timeoutMs: 20_000 },
    );
    // An org created after the hostile ones is reconciled all the same.
    const otherOrg = await createOrgNamespace(admin, { labels: shard });
    await adminKube.call({
      method: 'POST',
      path: cloudAgentPath(otherOrg.namespace),
      body: aCloudAgent({ namespace: otherOrg.namespace, org: otherOrg.orgSlug, name: 'support' }),
    });

    await eventually(async () => expect(await phaseOf(otherOrg.namespace, 'support')).toBe('Deploying'), {
      timeoutMs: 20_000,
    });
    expect((await fetch(`http://127.0.0.1:${running.port}/healthz`)).status).toBe(200);
  });
});
