import { createHash } from 'node:crypto';
import { readdir, readFile, stat } from 'node:fs/promises';
import { basename, extname, join } from 'node:path';
import type { Logger } from 'pino';
import { maxAgentFileBytes } from '../config/agent-file-limits.ts';
import { formatPath } from '../config/load-agent-file.ts';
import { watchConfigDir } from '../config/watch-config-dir.ts';
import { parseRagPipelineYaml } from './parse-rag-pipeline-yaml.ts';
import { isRagPipelineYaml, type RagPipeline } from './rag-pipeline-schema.ts';

export interface RagPipelineEntry {
  /** metadata.name, or the file's base name when the file is refused. */
  name: string;
  file: string;
  pipeline: RagPipeline | undefined;
  /** Why the file is refused: `file: field: why`, one line per problem. */
  error: string | undefined;
  warnings: string[];
}

/**
 * The `kind: RAGPipeline` files of the agents directory, kept current as files change (watch
 * events, and a rescan every few seconds as the agent catalog does). Pipelines are looked up
 * when used, so an agent's knowledge and the /v1/rag endpoints follow a changed file at once.
 * Two files may not define one name, nor two pipelines one collection.
 */
export function createRagPipelineCatalog(deps: { dir: string; log: Logger; rescanIntervalMs?: number }) {
  let entries: RagPipelineEntry[] = [];
  let hashes = new Map<string, string>();

  async function scanOnce(): Promise<void> {
    const files = await pipelineFiles(deps.dir);
    const next: RagPipelineEntry[] = [];
    const nextHashes = new Map<string, string>();
    for (const { file, text } of files) {
      const hash = createHash('sha256').update(text).digest('hex');
      nextHashes.set(file, hash);
      const entry = entryOf(file, text, next);
      next.push(entry);
      if (hashes.get(file) === hash) continue;
      if (entry.error) deps.log.warn({ file, pipeline: entry.name, error: entry.error }, 'RAG pipeline file refused');
      else deps.log.info({ file, pipeline: entry.name, collection: entry.pipeline?.collection }, 'RAG pipeline loaded');
      for (const warning of entry.warnings)
        deps.log.warn({ file, pipeline: entry.name, warning }, 'RAG pipeline warning');
    }
    entries = next;
    hashes = nextHashes;
  }

  const dirWatch = watchConfigDir({
    dir: deps.dir,
    scanOnce,
    log: deps.log,
    what: 'RAG pipelines',
    rescanIntervalMs: deps.rescanIntervalMs,
  });

  return {
    start: dirWatch.start,
    rescan: dirWatch.rescan,
    list: (): RagPipelineEntry[] => [...entries],
    /** The loaded pipeline of this name. */
    get: (name: string): RagPipeline | undefined => entries.find((entry) => entry.pipeline?.name === name)?.pipeline,
    /** The loaded pipeline that serves this collection. */
    byCollection: (collection: string): RagPipeline | undefined =>
      entries.find((entry) => entry.pipeline?.collection === collection)?.pipeline,
    collections: (): string[] => entries.flatMap((entry) => (entry.pipeline ? [entry.pipeline.collection] : [])),
    close: dirWatch.close,
  };
}
export type RagPipelineCatalog = ReturnType<typeof createRagPipelineCatalog>;

function entryOf(file: string, text: string, loaded: readonly RagPipelineEntry[]): RagPipelineEntry {
  const refused = (error: string, name = basename(file, extname(file))): RagPipelineEntry => ({
    name,
    file,
    pipeline: undefined,
    error,
    warnings: [],
  });
  try {
    const { pipeline, warnings } = parseRagPipelineYaml(text, file);
    const sameName = loaded.find((entry) => entry.pipeline?.name === pipeline.name);
    if (sameName) {
      return refused(
        `${basename(file)}: metadata.name: RAG pipeline '${pipeline.name}' is already defined in ${basename(sameName.file)}`,
        pipeline.name,
      );
    }
    const sameCollection = loaded.find((entry) => entry.pipeline?.collection === pipeline.collection);
    if (sameCollection) {
      return refused(
        `${basename(file)}: spec.vector_store.collection: collection '${pipeline.collection}' is already served by ` +
          `RAG pipeline '${sameCollection.name}' (${basename(sameCollection.file)})`,
        pipeline.name,
      );
    }
    return {
      name: pipeline.name,
      file,
      pipeline,
      error: undefined,
      warnings: warnings.map((issue) => `${basename(file)}: ${formatPath(issue.path)}: ${issue.message}`),
    };
  } catch (err) {
    return refused(err instanceof Error ? err.message : String(err));
  }
}

/** The directory's YAML files that are RAGPipeline documents, by name; hidden entries skipped. */
async function pipelineFiles(dir: string): Promise<{ file: string; text: string }[]> {
  const names = (await readdir(dir)).filter((name) => !name.startsWith('.') && /\.ya?ml$/.test(name)).sort();
  const files = await Promise.all(
    names.map(async (name) => {
      const file = join(dir, name);
      try {
        const stats = await stat(file);
        if (!stats.isFile()) return undefined;
        // A file too big for an agent file is the agent catalog's to report.
        if (stats.size > maxAgentFileBytes) return undefined;
        const text = await readFile(file, 'utf8');
        return isRagPipelineYaml(text) ? { file, text } : undefined;
      } catch {
        return undefined; // removed between readdir and read; the next scan settles it
      }
    }),
  );
  return files.filter((entry) => entry !== undefined);
}
