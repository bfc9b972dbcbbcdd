import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { dump } from 'js-yaml';
import { pino } from 'pino';
import type { FakeProvider } from '../../../test/fakes/fake-provider.ts';
import { startFakeProvider } from '../../../test/fakes/start-fake-provider.ts';
import { createRagPipelineCatalog } from '../create-rag-pipeline-catalog.ts';
import { createRagService, type RagService } from '../create-rag-service.ts';

/** A RAGPipeline document embedding through `ollama` (a fake's URL); `spec` merges over the defaults. */
export function ragPipelineYaml(name: string, ollamaUrl: string, spec: Record<string, unknown> = {}): string {
  return dump({
    apiVersion: 'astromesh/v1',
    kind: 'RAGPipeline',
    metadata: { name },
    spec: { embeddings: { provider: 'ollama', model: 'nomic-embed-text', endpoint: ollamaUrl }, ...spec },
  });
}

export interface TestRagService {
  rag: RagService;
  ollama: FakeProvider;
  dataDir: string;
  close(): Promise<void>;
}

/**
 * A real RAG service: the pipeline catalog over a temp agents directory holding `pipelines`
 * (name → spec overrides), the embedded SQLite store in a temp data directory, and a fake
 * Ollama answering /api/embed.
 */
export async function startTestRagService(pipelines: Record<string, Record<string, unknown>>): Promise<TestRagService> {
  const ollama = await startFakeProvider('ollama');
  const dir = mkdtempSync(join(tmpdir(), 'rag-service-'));
  const agentsDir = join(dir, 'agents');
  mkdirSync(agentsDir);
  for (const [name, spec] of Object.entries(pipelines)) {
    writeFileSync(join(agentsDir, `${name}.rag.yaml`), ragPipelineYaml(name, ollama.url, spec));
  }
  const log = pino({ level: 'silent' });
  const catalog = createRagPipelineCatalog({ dir: agentsDir, log, rescanIntervalMs: 0 });
  await catalog.start();
  const dataDir = join(dir, 'data');
  const rag = createRagService({ pipelines: catalog, credentials: () => undefined, log, dataDir });
  return {
    rag,
    ollama,
    dataDir,
    async close() {
      await rag.close();
      await catalog.close();
      await ollama.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
