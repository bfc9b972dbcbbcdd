import type { ApiException } from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
import { useCloudAgentCrd } from '../support/use-cloud-agent-crd.ts';

describe('the CloudAgent CRD keeps knowledge and semantic memory (a real kube-apiserver)', () => {
  const { aCloudAgentToStore, storeAndReadBack, refusalOf: refusalOfAgent } = useCloudAgentCrd();

  it('stores an agent with knowledge {pipeline, top_k} and memory.semantic, and reads it back unchanged', async () => {
    const agent = await aCloudAgentToStore();
    agent.spec.agent.spec.knowledge = { pipeline: 'product-knowledge', top_k: 3 };
    agent.spec.agent.spec.memory = {
      conversational: { backend: 'memory' },
      semantic: {
        backend: 'sqlite',
        embeddings: { provider: 'ollama', model: 'nomic-embed-text', endpoint: 'http://ollama:11434', dimension: 768 },
        similarity_threshold: 0.6,
        max_results: 4,
      },
    };

    const stored = await storeAndReadBack(agent);

    expect(stored.spec.agent.spec.knowledge).toEqual(agent.spec.agent.spec.knowledge);
    expect(stored.spec.agent.spec.memory).toEqual(agent.spec.agent.spec.memory);
  });

  async function refusalOf(semantic: Record<string, unknown>): Promise<ApiException<unknown> | undefined> {
    const agent = await aCloudAgentToStore();
    (agent.spec.agent.spec as Record<string, unknown>).memory = { semantic };
    return refusalOfAgent(agent);
  }
  const embeddings = { provider: 'ollama', model: 'nomic-embed-text' };

  it('refuses a semantic memory backend the runtime does not run, naming the supported ones', async () => {
    const rejection = await refusalOf({ backend: 'qdrant', embeddings });

    expect(rejection?.code).toBe(422);
    expect(String(rejection?.body)).toContain(
      'spec.agent.spec.memory.semantic.backend: Unsupported value: \\"qdrant\\"',
    );
    expect(String(rejection?.body)).toContain(
      'supported values: \\"sqlite\\", \\"pgvector\\", \\"chromadb\\", \\"chroma\\"',
    );
  });

  it('stores semantic memory on pgvector and chromadb with their keys, and refuses pgvector without a connection', async () => {
    const pgvector = { backend: 'pgvector', connection: { url_env: 'MEMORY_DSN' }, dimension: 768, embeddings };
    const chroma = { backend: 'chromadb', host: 'chroma.example', port: 8000, embeddings };

    const [stored1, stored2, noConnection, hostOnPgvector] = await Promise.all([
      refusalOf(pgvector),
      refusalOf(chroma),
      refusalOf({ backend: 'pgvector', embeddings }),
      refusalOf({ backend: 'pgvector', connection: { url_env: 'MEMORY_DSN' }, host: 'chroma.example', embeddings }),
    ]);

    expect(stored1).toBeUndefined();
    expect(stored2).toBeUndefined();
    expect(noConnection?.code).toBe(422);
    expect(String(noConnection?.body)).toContain(
      'the pgvector backend needs one of connection.url and connection.url_env',
    );
    expect(hostOnPgvector?.code).toBe(422);
    expect(String(hostOnPgvector?.body)).toContain('host, port, ssl, tenant and database are for the chromadb backend');
  });
});
