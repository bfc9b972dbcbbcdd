import { findAgentValueProblem } from '../config/find-agent-value-problem.ts';
import { findUnknownKeys } from '../config/find-unknown-keys.ts';
import { AgentFileError, type ConfigIssue, readConfigYaml } from '../config/load-agent-file.ts';
import { type RagPipeline, RagPipelineDocument } from './rag-pipeline-schema.ts';

/**
 * A `kind: RAGPipeline` file, checked as agent files are (size, YAML limits, schema); what it
 * says that the runtime ignores comes back as warnings. A refusal names the file and each field:
 * `kb.yaml: spec.vector_store.backend: vector store backend "pgvector" is not supported…`.
 */
export function parseRagPipelineYaml(text: string, file: string): { pipeline: RagPipeline; warnings: ConfigIssue[] } {
  const raw = readConfigYaml(text, file);
  const problem = findAgentValueProblem(raw);
  if (problem) throw new AgentFileError(file, [problem]);
  const parsed = RagPipelineDocument.safeParse(raw);
  if (!parsed.success) {
    throw new AgentFileError(
      file,
      parsed.error.issues.map((issue) => ({
        path: issue.path.map((key) => (typeof key === 'symbol' ? String(key) : key)),
        message: issue.message,
      })),
    );
  }
  const document = parsed.data;
  const warnings: ConfigIssue[] = findUnknownKeys(RagPipelineDocument, raw).map(({ path, known }) => ({
    path,
    message: `unknown key, ignored (known: ${known.join(', ')})`,
  }));
  if (document.apiVersion === 'astromech/v1') {
    warnings.push({
      path: ['apiVersion'],
      message: "astromech/v1 is upstream's name before its rename, read as astromesh/v1",
    });
  }
  if (document.spec.reranking?.enabled) {
    warnings.push({
      path: ['spec', 'reranking', 'enabled'],
      message: 'reranking is not supported by this runtime; results keep their similarity order',
    });
  }
  return {
    pipeline: {
      name: document.metadata.name,
      collection: document.spec.vector_store.collection ?? document.metadata.name,
      document,
    },
    warnings,
  };
}
