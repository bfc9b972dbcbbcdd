import { describe, expect, it } from 'vitest';
import { addProviderConfig, emptyProviderRegistry, type ProviderRegistry } from '../router/provider-registry.ts';
import { AgentFileError, type AgentLoadOptions, parseAgentYamlWithWarnings } from './load-agent-file.ts';

// Every form of model block an upstream agent file may use, as the runtime loads it: what it
// resolves to, and how it is refused (naming the file, the field path and what is supported).

const file = '/agents/forms.yaml';

/** An agent whose spec.model is `model` (YAML flow or block text, indented under `model:`). */
const agentWithModel = (model: string, extra = '') => `
apiVersion: astromesh/v1
kind: Agent
metadata: {name: forms}
spec:
  model:
${model
  .trim()
  .split('\n')
  .map((line) => `    ${line}`)
  .join('\n')}
${extra}`;

const primary = (block: string, extra = '') => agentWithModel(`primary: ${block}`, extra);

function load(text: string, options: AgentLoadOptions = {}) {
  return parseAgentYamlWithWarnings(text, file, [], options);
}

function refusal(text: string, options: AgentLoadOptions = {}): AgentFileError {
  try {
    load(text, options);
  } catch (err) {
    if (err instanceof AgentFileError) return err;
    throw err;
  }
  throw new Error('expected the file to be refused');
}

function registry(...files: [name: string, yaml: string][]): ProviderRegistry {
  const providers = emptyProviderRegistry();
  for (const [name, yaml] of files) addProviderConfig(providers, yaml, `/agents/${name}`);
  return providers;
}

describe('model blocks: source and provider', () => {
  it.each(['openai', 'openai_compat', 'azure_openai', 'ollama', 'anthropic', 'groq', 'mistral', 'cohere'])(
    'accepts source and provider %s alike, resolving to that provider',
    (name) => {
      const bySource = load(primary(`{source: ${name}, model: some-model}`)).agent.spec.model.primary;
      const byProvider = load(primary(`{provider: ${name}, model: some-model}`)).agent.spec.model.primary;

      expect(bySource).toEqual({ provider: name, model: 'some-model' });
      expect(byProvider).toEqual(bySource);
    },
  );

  it('accepts both when they agree', () => {
    const block = load(primary('{source: ollama, provider: ollama, model: "llama3.1:8b"}')).agent.spec.model.primary;

    expect(block).toEqual({ provider: 'ollama', model: 'llama3.1:8b' });
  });

  it('refuses both when they disagree, naming the field', () => {
    const error = refusal(primary('{source: ollama, provider: openai, model: gpt-4o-mini}'));

    expect(error.message).toBe(
      'forms.yaml: spec.model.primary.provider: source and provider disagree; give one of them',
    );
  });

  it('refuses an unknown source, naming the field and the supported values', () => {
    const error = refusal(primary('{source: bedrock, model: claude}'));

    expect(error.message).toBe(
      'forms.yaml: spec.model.primary.source: source "bedrock" is not supported; supported: openai, openai_compat, azure_openai, ollama, anthropic, groq, mistral, cohere, litellm, vllm, hf_tgi, llamacpp',
    );
  });

  it.each([
    ['centinela', "upstream's Centinela classifiers constrain answers to a label contract"],
    ['onnx', 'ONNX models run inside upstream’s process'],
  ])('refuses upstream type %s, which cannot be served, saying why', (name, why) => {
    const error = refusal(primary(`{provider: ${name}, model: x}`));

    expect(error.message).toMatch(
      new RegExp(`^forms\\.yaml: spec\\.model\\.primary\\.provider: source "${name}" is not supported \\(`),
    );
    expect(error.message).toContain(why);
    expect(error.message).toContain('; supported: openai, openai_compat,');
  });

  it('accepts any case and surrounding spaces in source and provider, as upstream lowercases them', () => {
    const bySource = load(primary('{source: " Ollama ", model: "llama3.1:8b"}')).agent.spec.model.primary;
    const byProvider = load(primary('{provider: ANTHROPIC, source: anthropic, model: claude-3-5-haiku}')).agent.spec
      .model.primary;
    const inRoles = load(
      agentWithModel(`
default:
  candidates: [{source: OpenAI, model: gpt-4o-mini}]
roles:
  planner:
    candidates: [{source: LiteLLM, model: "Anthropic/claude-3-5-haiku"}]
`),
    ).agent.spec.model;

    expect(bySource).toEqual({ provider: 'ollama', model: 'llama3.1:8b' });
    expect(byProvider).toEqual({ provider: 'anthropic', model: 'claude-3-5-haiku' });
    expect(inRoles.default?.candidates).toEqual([{ provider: 'openai', model: 'gpt-4o-mini' }]);
    expect(inRoles.roles?.planner?.candidates).toEqual([{ provider: 'anthropic', model: 'claude-3-5-haiku' }]);
  });

  it("resolves the legacy form's extra candidates, naming an alias's field when one is refused", () => {
    const model = load(
      agentWithModel(`
primary: {source: ollama, model: "llama3.1:8b"}
extra:
  hosted: {provider: OpenAI, model: gpt-4o-mini, temperature: 0.2}
  gateway: {model: "groq/llama-3.1-8b-instant"}
`),
    ).agent.spec.model;
    const error = refusal(
      agentWithModel('primary: {source: ollama, model: x}\nextra:\n  odd: {source: litellm, model: plain}'),
    );

    expect(model.extra).toEqual({
      hosted: { provider: 'openai', model: 'gpt-4o-mini', temperature: 0.2 },
      gateway: { provider: 'groq', model: 'llama-3.1-8b-instant' },
    });
    expect(error.message).toMatch(/^forms\.yaml: spec\.model\.extra\.odd\.model: litellm needs a vendor\/model name/);
  });

  it("runs a plain model name with no source on openai_compat at OpenAI's API with OPENAI_API_KEY, as upstream", () => {
    const block = load(primary('{model: gpt-4o-mini}')).agent.spec.model.primary;

    expect(block).toEqual({
      provider: 'openai_compat',
      model: 'gpt-4o-mini',
      endpoint: 'https://api.openai.com/v1',
      api_key_env: 'OPENAI_API_KEY',
    });
  });

  it("keeps a plain model name's own endpoint and api_key_env", () => {
    const block = load(primary('{model: my-model, endpoint: "http://gateway:4000/v1", api_key_env: GATEWAY_KEY}')).agent
      .spec.model.primary;

    expect(block).toEqual({
      provider: 'openai_compat',
      model: 'my-model',
      endpoint: 'http://gateway:4000/v1',
      api_key_env: 'GATEWAY_KEY',
    });
  });

  it.each([
    [
      'vllm',
      '{source: vllm, model: "mistralai/Mistral-7B-Instruct-v0.3", endpoint: "http://vllm:8000"}',
      'http://vllm:8000/v1',
    ],
    ['vllm (no endpoint)', '{source: vllm, model: m}', 'http://localhost:8000/v1'],
    ['hf_tgi', '{provider: hf_tgi, model: tgi, endpoint: "http://tgi:80/"}', 'http://tgi:80/v1'],
    ['hf_tgi (no endpoint)', '{provider: hf_tgi, model: tgi}', 'http://localhost:8080/v1'],
    [
      'llamacpp (endpoint with /v1)',
      '{source: llamacpp, model: q4, endpoint: "http://llama:8080/v1"}',
      'http://llama:8080/v1',
    ],
  ])('serves %s through openai_compat at the server’s /v1', (_name, block, endpoint) => {
    const resolved = load(primary(block)).agent.spec.model.primary;

    expect(resolved).toMatchObject({ provider: 'openai_compat', endpoint });
    expect(resolved?.model).not.toContain('vllm/');
  });

  it('accepts the Azure deployment and api_version keys', () => {
    const block = load(primary('{source: azure_openai, model: gpt-4o, deployment: prod-4o, api_version: 2024-10-21}'))
      .agent.spec.model.primary;

    expect(block).toEqual({
      provider: 'azure_openai',
      model: 'gpt-4o',
      deployment: 'prod-4o',
      api_version: '2024-10-21',
    });
  });
});

describe('model blocks: litellm and vendor/model names', () => {
  it.each([
    ['openai/gpt-4o-mini', 'openai', 'gpt-4o-mini'],
    ['anthropic/claude-3-5-sonnet', 'anthropic', 'claude-3-5-sonnet'],
    ['ollama/llama3', 'ollama', 'llama3'],
    ['ollama_chat/llama3.1:8b', 'ollama', 'llama3.1:8b'],
    ['groq/llama-3.3-70b-versatile', 'groq', 'llama-3.3-70b-versatile'],
    ['mistral/mistral-small-latest', 'mistral', 'mistral-small-latest'],
    ['cohere/command-r-plus', 'cohere', 'command-r-plus'],
    ['azure/prod-4o', 'azure_openai', 'prod-4o'],
  ])('routes source: litellm, model: %s to our %s provider with the bare name', (model, provider, bare) => {
    const block = load(primary(`{source: litellm, model: "${model}"}`)).agent.spec.model.primary;

    expect(block).toEqual({ provider, model: bare });
  });

  it('routes a vendor/model name with no source the same way (upstream infers litellm)', () => {
    const agent = load(
      agentWithModel(`
default:
  candidates:
    - {model: "anthropic/claude-3-5-haiku", api_key_env: MY_ANTHROPIC_KEY}
`),
    ).agent;

    expect(agent.spec.model.default?.candidates).toEqual([
      { provider: 'anthropic', model: 'claude-3-5-haiku', api_key_env: 'MY_ANTHROPIC_KEY' },
    ]);
  });

  it('keeps a slash in the model of an explicit non-litellm source (a gateway model id)', () => {
    const block = load(primary('{source: openai_compat, model: "mistralai/Mistral-7B", endpoint: "http://gw:8000/v1"}'))
      .agent.spec.model.primary;

    expect(block).toEqual({ provider: 'openai_compat', model: 'mistralai/Mistral-7B', endpoint: 'http://gw:8000/v1' });
  });

  it('refuses a vendor it cannot serve, naming the file, the field path, the vendor and the supported ones', () => {
    const error = refusal(
      agentWithModel(`
default:
  candidates: [{source: ollama, model: llama3}]
roles:
  planner:
    candidates: [{source: litellm, model: "bedrock/anthropic.claude-v2"}]
`),
    );

    expect(error.message).toBe(
      "forms.yaml: spec.model.roles.planner.candidates[0].model: vendor 'bedrock' is not supported (litellm route); supported vendors: anthropic, azure, cohere, cohere_chat, groq, mistral, ollama, ollama_chat, openai",
    );
  });

  it('refuses an unprefixed name under source: litellm', () => {
    const error = refusal(primary('{source: litellm, model: gpt-4o}'));

    expect(error.message).toMatch(/^forms\.yaml: spec\.model\.primary\.model: litellm needs a vendor\/model name/);
    expect(error.message).toContain('supported vendors: anthropic, azure');
  });

  it('refuses a no-source name whose prefix is not a vendor, naming it', () => {
    const error = refusal(primary('{model: "meta-llama/Llama-3-8b"}'));

    expect(error.message).toContain("spec.model.primary.model: vendor 'meta-llama' is not supported");
  });
});

describe('model blocks: providerRef', () => {
  const providersYaml = `
apiVersion: astromesh/v1
kind: ProviderConfig
metadata: {name: default-providers}
spec:
  providers:
    local:
      type: ollama
      endpoint: "http://ollama.internal:11434"
      models: ["llama3.1:8b", "llama3.1:70b"]
      health_check_interval: 30
    gateway:
      type: openai_compat
      endpoint: "https://gateway.example/v1"
      api_key_env: GATEWAY_KEY
    vllm:
      type: vLLM
      endpoint: "http://vllm:8000"
      models: ["mistralai/Mistral-7B-Instruct-v0.3"]
    classifier:
      type: centinela
      endpoint: "https://centinela.example"
    leaky:
      type: openai
      api_key: sk-should-not-be-here
  routing: {default_strategy: cost_optimized}
`;

  it("takes the entry's type, endpoint, key variable and first model", () => {
    const providers = registry(['providers.yaml', providersYaml]);

    const block = load(primary('{providerRef: local}'), { providers }).agent.spec.model.primary;

    expect(block).toEqual({ provider: 'ollama', model: 'llama3.1:8b', endpoint: 'http://ollama.internal:11434' });
  });

  it("lets the block's own keys override the entry's", () => {
    const providers = registry(['providers.yaml', providersYaml]);

    const block = load(primary('{providerRef: gateway, model: qwen2.5-7b, timeout: 30, temperature: 0.1}'), {
      providers,
    }).agent.spec.model.primary;

    expect(block).toEqual({
      provider: 'openai_compat',
      model: 'qwen2.5-7b',
      endpoint: 'https://gateway.example/v1',
      api_key_env: 'GATEWAY_KEY',
      timeout: 30,
      temperature: 0.1,
    });
  });

  it("uses the ref's name as the model when the entry lists none", () => {
    const providers = registry(['providers.yaml', providersYaml]);

    expect(load(primary('{providerRef: gateway}'), { providers }).agent.spec.model.primary?.model).toBe('gateway');
  });

  it("a later providers file's entry replaces an earlier one of the same name", () => {
    const providers = registry(
      ['providers.yaml', providersYaml],
      [
        'providers-prod.yaml',
        'kind: ProviderConfig\nspec:\n  providers:\n    local: {type: groq, models: [llama-3.3-70b-versatile]}\n',
      ],
    );

    expect(load(primary('{providerRef: local}'), { providers }).agent.spec.model.primary).toEqual({
      provider: 'groq',
      model: 'llama-3.3-70b-versatile',
    });
  });

  it('refuses an unknown ref, naming it, the known ones and the files read', () => {
    const providers = registry(['providers.yaml', providersYaml]);

    const error = refusal(primary('{providerRef: nowhere}'), { providers });

    expect(error.message).toMatch(
      /^forms\.yaml: spec\.model\.primary\.providerRef: unknown provider 'nowhere' \(known: gateway, local, vllm; read from providers\.yaml\)/,
    );
  });

  it('refuses a ref to an entry of a type the runtime cannot serve, saying why', () => {
    const providers = registry(['providers.yaml', providersYaml]);

    const error = refusal(primary('{providerRef: classifier}'), { providers });

    expect(error.message).toContain("unknown provider 'classifier'");
    expect(error.message).toContain(
      'providers.yaml: spec.providers.classifier.type: source "centinela" is not supported (upstream\'s Centinela classifiers constrain answers to a label contract, which astromeshd does not run); supported: openai, openai_compat, azure_openai, ollama, anthropic, groq, mistral, cohere, litellm, vllm, hf_tgi, llamacpp',
    );
  });

  it("serves an entry of type vllm (any case) through openai_compat at the server's /v1, its slashed model kept", () => {
    const providers = registry(['providers.yaml', providersYaml]);

    expect(load(primary('{providerRef: vllm}'), { providers }).agent.spec.model.primary).toEqual({
      provider: 'openai_compat',
      model: 'mistralai/Mistral-7B-Instruct-v0.3',
      endpoint: 'http://vllm:8000/v1',
    });
  });

  it('refuses a ref to an entry holding a key, without echoing the key', () => {
    const providers = registry(['providers.yaml', providersYaml]);

    const error = refusal(primary('{providerRef: leaky}'), { providers });

    expect(error.message).toContain('spec.providers.leaky.api_key: keys do not live in YAML');
    expect(error.message).not.toContain('sk-should-not-be-here');
  });

  it('refuses every providerRef when there is no providers file', () => {
    const error = refusal(primary('{providerRef: local}'));

    expect(error.message).toBe(
      "forms.yaml: spec.model.primary.providerRef: unknown provider 'local' (known: none; read from no providers*.yaml file)",
    );
  });
});

describe('model blocks: temperature and max_tokens shorthand', () => {
  it('uses the top-level shorthand when parameters do not set them', () => {
    const block = load(primary('{source: openai, model: gpt-4o-mini, temperature: 0.2, max_tokens: 256}')).agent.spec
      .model.primary;

    expect(block).toEqual({ provider: 'openai', model: 'gpt-4o-mini', temperature: 0.2, max_tokens: 256 });
  });

  it('takes parameters.temperature and parameters.max_tokens (upstream examples write them there)', () => {
    const block = load(
      primary('{provider: ollama, model: "llama3.1:8b", parameters: {temperature: 0.3, max_tokens: 4096}}'),
    ).agent.spec.model.primary;

    expect(block).toEqual({ provider: 'ollama', model: 'llama3.1:8b', temperature: 0.3, max_tokens: 4096 });
  });

  it('lets parameters win over the shorthand, as upstream does, keeping the other parameters', () => {
    const block = load(
      primary(
        '{source: openai, model: gpt-4o-mini, temperature: 0.9, max_tokens: 100, parameters: {temperature: 0.1, max_tokens: 2048, top_p: 0.5}}',
      ),
    ).agent.spec.model.primary;

    expect(block).toEqual({
      provider: 'openai',
      model: 'gpt-4o-mini',
      temperature: 0.1,
      max_tokens: 2048,
      parameters: { top_p: 0.5 },
    });
  });

  it('refuses parameters.temperature and parameters.max_tokens out of range, naming the field', () => {
    const error = refusal(
      primary('{source: openai, model: gpt-4o-mini, parameters: {temperature: "warm", max_tokens: 0}}'),
    );

    expect(error.message).toBe(
      [
        'forms.yaml: spec.model.primary.parameters.temperature: must be a number from 0 to 2',
        'forms.yaml: spec.model.primary.parameters.max_tokens: must be a whole number from 1 to 1000000',
      ].join('\n'),
    );
  });
});

describe('unknown keys', () => {
  it('are warnings naming the field, across the whole document, and the agent loads', () => {
    const text = `
apiVersion: astromesh/v1
kind: Agent
metadata: {name: forms, owner: team-x}
spec:
  identity: {display_name: Forms, role: helper}
  model:
    primary: {source: ollama, model: llama3, context_window: 8192}
    routing: {strategy: cost_optimized, health_check_interval: 30}
  orchestration: {pattern: react, timeout: 60}
  skills: [{id: quotes, name: Quotes, description: Answers price questions}]
`;

    const { agent, warnings } = load(text);

    expect(agent.spec.model.primary).toEqual({ provider: 'ollama', model: 'llama3' });
    expect(warnings.map((warning) => warning.path.join('.'))).toEqual([
      'metadata.owner',
      'spec.identity.role',
      'spec.model.primary.context_window',
      'spec.model.routing.health_check_interval',
      'spec.orchestration.timeout',
      'spec.skills',
    ]);
    expect(warnings[2]?.message).toMatch(/^unknown key, ignored \(known: source, provider, providerRef, model,/);
  });

  it('in a guardrail stay errors: a misspelled setting would silently drop a safety rule', () => {
    const error = refusal(
      primary(
        '{source: openai, model: gpt-4o-mini}',
        '  guardrails:\n    output: [{type: content_filter, blocked_pattern: ["secret"]}]\n',
      ),
    );

    expect(error.message).toMatch(
      /^forms\.yaml: spec\.guardrails\.output\[0\]\.blocked_pattern: unknown guardrail setting; it would silently drop a safety rule \(known: type, action,/,
    );
  });

  it("in a tool's rate_limit stay errors: a misspelled limit would silently lift it", () => {
    const error = refusal(
      primary(
        '{source: openai, model: gpt-4o-mini}',
        '  tools:\n    - {name: datetime_now, rate_limit: {window_seconds: 60, max_calls: 5, burst: 10}}\n',
      ),
    );

    expect(error.message).toMatch(/^forms\.yaml: spec\.tools\[0\]\.rate_limit\.burst: unknown rate_limit setting/);
  });

  it('api_key in a model block is an error that does not echo the key', () => {
    const error = refusal(primary('{source: openai, model: gpt-4o-mini, api_key: sk-live-123}'));

    expect(error.message).toBe(
      'forms.yaml: spec.model.primary.api_key: keys do not live in agent files: remove it and put the key in the credentials file (--credentials) or the environment as OPENAI_API_KEY (or name another credential in api_key_env)',
    );
    expect(error.message).not.toContain('sk-live-123');
  });

  it("api_key's error names the credential the block would read: its api_key_env, or its provider's (a litellm vendor's) own", () => {
    const named = refusal(
      primary('{source: openai, model: gpt-4o, api_key: sk-live-456, api_key_env: TEAM_OPENAI_KEY}'),
    );
    const azure = refusal(primary('{source: litellm, model: azure/prod-4o, api_key: "azure-secret-789"}'));

    expect(named.message).toMatch(/as TEAM_OPENAI_KEY, the credential this block reads$/);
    expect(azure.message).toMatch(
      /the environment as AZURE_OPENAI_API_KEY \(or name another credential in api_key_env\)$/,
    );
    expect(`${named.message}${azure.message}`).not.toMatch(/sk-live-456|azure-secret-789/);
  });

  it('inside free-form maps (tool config, parameters) are the author’s, not unknown', () => {
    const { warnings } = load(
      primary(
        '{source: openai, model: gpt-4o-mini, parameters: {logit_bias: {"50256": -100}}}',
        '  tools:\n    - {name: http_request, config: {allow_localhost: true, anything: 1}}\n',
      ),
    );

    expect(warnings).toEqual([]);
  });
});
