import { ApiException } from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
import { useCloudAgentCrd } from '../support/use-cloud-agent-crd.ts';

// The model-block forms and unknown keys as the CloudAgent CRD (generated from the same schema)
// takes them on a real kube-apiserver: its CEL rules say what the zod refinements say.

describe('CloudAgent model blocks on a real kube-apiserver', () => {
  const { aCloudAgentToStore, storeAndReadBack } = useCloudAgentCrd();

  async function create(model: Record<string, unknown>, fieldValidation?: 'Strict' | 'Ignore') {
    const agent = await aCloudAgentToStore();
    agent.spec.agent.spec.model = model as typeof agent.spec.agent.spec.model;
    return storeAndReadBack(agent, fieldValidation);
  }

  const refusal = (model: Record<string, unknown>, fieldValidation?: 'Strict') =>
    create(model, fieldValidation).then(
      () => {
        throw new Error('expected the API server to refuse the CloudAgent');
      },
      (err: unknown) => {
        if (!(err instanceof ApiException)) throw err;
        return { code: err.code, body: String(err.body) };
      },
    );

  it('stores source, litellm vendor/model names, providerRef and the Azure keys', async () => {
    const model = {
      default: {
        candidates: [
          { source: 'litellm', model: 'anthropic/claude-3-5-haiku' },
          { model: 'ollama/llama3' },
          { source: 'azure_openai', model: 'gpt-4o', deployment: 'prod-4o', api_version: '2024-06-01' },
          { providerRef: 'hosted' },
          { source: 'openai', provider: 'openai', model: 'gpt-4o-mini', parameters: { temperature: 0.2 } },
        ],
      },
    };

    const stored = await create(model);

    expect(stored.spec.agent.spec.model).toEqual(model);
  });

  it('refuses source and provider that disagree', async () => {
    const refused = await refusal({ primary: { source: 'ollama', provider: 'openai', model: 'x' } });

    expect(refused.code).toBe(422);
    expect(refused.body).toContain('source and provider disagree; give one of them');
  });

  it("stores a plain model name with no source (upstream's openai_compat fallback) and the OpenAI-wire servers", async () => {
    const model = {
      default: {
        candidates: [
          { model: 'gpt-4o-mini' },
          { source: 'vllm', model: 'mistralai/Mistral-7B-Instruct-v0.3', endpoint: 'http://vllm:8000' },
          { provider: 'hf_tgi', model: 'tgi', endpoint: 'http://tgi:80' },
          { source: 'llamacpp', model: 'q4' },
        ],
      },
    };

    const stored = await create(model);

    expect(stored.spec.agent.spec.model).toEqual(model);
  });

  it("stores the legacy form's extra candidates by alias, with the block rules applied to each", async () => {
    const model = {
      primary: { source: 'ollama', model: 'llama3.1:8b' },
      extra: { hosted: { provider: 'openai', model: 'gpt-4o-mini' }, gateway: { model: 'groq/llama-3.1-8b-instant' } },
    };

    const stored = await create(model);
    const refused = await refusal({
      primary: model.primary,
      extra: { odd: { source: 'ollama', provider: 'openai', model: 'x' } },
    });

    expect(stored.spec.agent.spec.model).toEqual(model);
    expect(refused.code).toBe(422);
    expect(refused.body).toContain('source and provider disagree; give one of them');
  });

  it('refuses a source it cannot serve, naming the supported ones', async () => {
    const refused = await refusal({ primary: { source: 'centinela', model: 'sentiment' } });

    expect(refused.code).toBe(422);
    const { message } = JSON.parse(refused.body);
    expect(message).toContain('spec.agent.spec.model.primary.source: Unsupported value: "centinela"');
    expect(message).toContain('"vllm", "hf_tgi", "llamacpp"');
  });

  it('refuses a block with neither model nor providerRef', async () => {
    const refused = await refusal({ primary: { source: 'openai' } });

    expect(refused.code).toBe(422);
    expect(refused.body).toContain('model is required unless providerRef names it');
  });

  it('refuses an unknown model key under strict field validation (kubectl’s default), and prunes it otherwise', async () => {
    const model = { primary: { source: 'openai', model: 'gpt-4o-mini', context_window: 8192 } };

    const refused = await refusal(model, 'Strict');
    const pruned = await create(model, 'Ignore');

    expect(refused.code).toBe(400);
    expect(JSON.parse(refused.body).message).toContain('unknown field "spec.agent.spec.model.primary.context_window"');
    expect(pruned.spec.agent.spec.model).toEqual({ primary: { source: 'openai', model: 'gpt-4o-mini' } });
  });
});
