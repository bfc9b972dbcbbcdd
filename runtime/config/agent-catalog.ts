import { createHash } from 'node:crypto';
import { constants } from 'node:fs';
import { open, readdir } from 'node:fs/promises';
import { basename, dirname, extname, join, resolve } from 'node:path';
import type { Logger } from 'pino';
import { isRagPipelineYaml } from '../rag/rag-pipeline-schema.ts';
import {
  addProviderConfig,
  emptyProviderRegistry,
  isProvidersFileName,
  type ProviderRegistry,
} from '../router/provider-registry.ts';
import { maxAgentFileBytes } from './agent-file-limits.ts';
import type { AgentDocument } from './agent-schema.ts';
import { agentToolTargets, findAgentReferenceProblems } from './find-agent-reference-problems.ts';
import {
  type AgentCheck,
  AgentConfigError,
  AgentFileError,
  agentFileTooLarge,
  type ConfigIssue,
  formatPath,
  parseAgentYamlWithWarnings,
} from './load-agent-file.ts';
import { watchConfigDir } from './watch-config-dir.ts';

export interface CatalogEntry {
  /** metadata.name, or the file's base name while no version of the file ever loaded. */
  name: string;
  file: string;
  /** The last good version; kept while a newer version of the file is broken. */
  agent: AgentDocument | undefined;
  /** Why the file's current content is refused, if it is. */
  error: string | undefined;
  /** What the loaded version says that the runtime ignores (unknown keys), as `file: field: why`. */
  warnings: string[];
}

export type CatalogChange = { type: 'loaded'; name: string; agent: AgentDocument } | { type: 'removed'; name: string };

interface FileState {
  contentHash: string;
  entry: CatalogEntry;
  /** The agent name this file defines but was refused because another file had it first. */
  waitingForName?: string;
  /** The file's latest version that passed its own checks, loaded or not: what other agents' tools see. */
  parsed?: AgentDocument;
  /** Refused only for what its agent tools say about other agents (a missing target, a cycle). */
  refusedForReferences?: boolean;
}

export interface AgentCatalogDeps {
  dir: string;
  checks: AgentCheck[];
  log: Logger;
  onChange: (change: CatalogChange) => void;
  /** Safety net for filesystems where watch events get lost (network mounts); 0 disables it. */
  rescanIntervalMs?: number;
}

/**
 * The agents of a directory of YAML files, kept current without a restart: files can be added,
 * changed and removed (also a Kubernetes ConfigMap's atomic `..data` swap). A broken file keeps
 * the last good version of its agent and reports its error; two files may not define one name.
 * `providers*.yaml` files are not agents: they are upstream's ProviderConfig documents, which
 * `providerRef` in a model block resolves against; when they change, every agent is loaded again.
 */
export function createAgentCatalog(deps: AgentCatalogDeps) {
  const files = new Map<string, FileState>();
  let providers: ProviderRegistry = emptyProviderRegistry();
  let providersHash = '';

  async function scanOnce(): Promise<void> {
    const { agents: present, providers: providerFiles } = await agentFiles(deps.dir);
    const newProvidersHash = [...providerFiles].map(([file, content]) => `${file}:${content.hash}`).join('\n');
    if (newProvidersHash !== providersHash) {
      providersHash = newProvidersHash;
      providers = emptyProviderRegistry();
      for (const [file, content] of providerFiles) {
        const label = providersFileLabel(deps.dir, file);
        if (content.refusal) providers.problems.push(`${label}: ${content.refusal.message}`);
        else addProviderConfig(providers, content.text, label);
      }
      for (const problem of providers.problems) deps.log.warn({ dir: deps.dir, problem }, 'providers file problem');
      // Every agent may refer to what changed: forget the hashes, so the loop below loads them all.
      for (const state of files.values()) state.contentHash = '';
    }
    for (const [file, state] of files) {
      if (present.has(file)) continue;
      files.delete(file);
      if (state.entry.agent && ownerOf(state.entry.name) === undefined) {
        deps.onChange({ type: 'removed', name: state.entry.name });
      }
      deps.log.info({ file, agent: state.entry.name }, 'agent file removed');
    }
    for (const [file, content] of present) {
      if (files.get(file)?.contentHash === content.hash) continue;
      loadFile(file, content);
    }
    // A file refused only because another file had its name is unchanged, so the loop above
    // skips it; once that other file is removed or renamed, the name is free and it loads.
    for (const [file, state] of files) {
      const content = present.get(file);
      if (state.waitingForName === undefined || content === undefined) continue;
      if (ownerOf(state.waitingForName) === undefined) loadFile(file, content);
    }
    // Agents load in any order: whether an agent tool's target exists, or closes a cycle, changes
    // as other files come and go, so every agent with agent tools is checked again after a scan.
    for (const [file, state] of files) {
      const content = present.get(file);
      const latest = state.parsed;
      if (content === undefined || latest === undefined || agentToolTargets(latest).length === 0) continue;
      const problems = findAgentReferenceProblems(latest, latestAgentsBesides(file));
      if (problems.length === 0 ? state.refusedForReferences : state.entry.error !== referenceError(file, problems)) {
        loadFile(file, content);
      }
    }
  }

  function referenceError(file: string, problems: ConfigIssue[]): string {
    return new AgentFileError(file, problems).message;
  }

  /** The latest version of every other agent file, by agent name; a broken file counts with its last good one. */
  function latestAgentsBesides(file: string): Map<string, AgentDocument> {
    const agents = new Map<string, AgentDocument>();
    for (const [other, state] of files) {
      const latest = state.parsed ?? state.entry.agent;
      if (other === file || latest === undefined) continue;
      if (!agents.has(latest.metadata.name) || state.entry.agent) agents.set(latest.metadata.name, latest);
    }
    return agents;
  }

  function loadFile(file: string, content: FileContent): void {
    const contentHash = content.hash;
    const previous = files.get(file)?.entry;
    let waitingForName: string | undefined;
    let parsed: AgentDocument | undefined;
    let refusedForReferences = false;
    try {
      if (content.refusal) throw new AgentFileError(file, [content.refusal]);
      const { agent, warnings: issues } = parseAgentYamlWithWarnings(content.text, file, deps.checks, { providers });
      const warnings = issues.map((issue) => `${basename(file)}: ${formatPath(issue.path)}: ${issue.message}`);
      const name = agent.metadata.name;
      const owner = ownerOf(name);
      if (owner && owner !== file) {
        waitingForName = name;
        throw new AgentFileError(file, [
          { path: ['metadata', 'name'], message: `agent '${name}' is already defined in ${basename(owner)}` },
        ]);
      }
      parsed = agent;
      const referenceProblems = findAgentReferenceProblems(agent, latestAgentsBesides(file));
      if (referenceProblems.length > 0) {
        refusedForReferences = true;
        throw new AgentFileError(file, referenceProblems);
      }
      files.set(file, { contentHash, entry: { name, file, agent, error: undefined, warnings }, parsed });
      try {
        deps.onChange({ type: 'loaded', name, agent });
      } catch (err) {
        // The engine could not build the agent: report it like any other problem of this file.
        const message = err instanceof Error ? err.message : String(err);
        throw new AgentFileError(file, err instanceof AgentConfigError ? err.issues : [{ path: [], message }]);
      }
      // Only now: a new version that cannot be built must not take the old name's agent away.
      if (previous?.agent && previous.name !== name) deps.onChange({ type: 'removed', name: previous.name });
      deps.log.info({ file, agent: name }, 'agent loaded');
      for (const warning of warnings) deps.log.warn({ file, agent: name, warning }, 'agent file warning');
    } catch (err) {
      const error = err instanceof Error ? err.message : String(err);
      const entry: CatalogEntry = previous?.agent
        ? { ...previous, error }
        : { name: basename(file, extname(file)), file, agent: undefined, error, warnings: [] };
      files.set(file, { contentHash, entry, waitingForName, parsed, refusedForReferences });
      deps.log.warn({ file, agent: entry.name, error, keptLastGood: entry.agent !== undefined }, 'agent file refused');
    }
  }

  function ownerOf(name: string): string | undefined {
    for (const [file, state] of files) {
      if (state.entry.agent && state.entry.name === name) return file;
    }
    return undefined;
  }

  function list(): CatalogEntry[] {
    return [...files.values()].map((state) => state.entry).sort((a, b) => a.name.localeCompare(b.name));
  }

  const dirWatch = watchConfigDir({
    dir: deps.dir,
    scanOnce,
    log: deps.log,
    what: 'agents',
    rescanIntervalMs: deps.rescanIntervalMs,
    // Upstream's providers files live in the parent; only their changes there matter.
    watchParent: isProvidersFileName,
  });

  return {
    start: dirWatch.start,
    /** Rescans the directory; calls are serialised so events arriving together cannot interleave. */
    rescan: dirWatch.rescan,
    list,
    get(name: string): CatalogEntry | undefined {
      return list().find((entry) => entry.name === name);
    },
    close: dirWatch.close,
  };
}
export type AgentCatalog = ReturnType<typeof createAgentCatalog>;

/** `providers.yaml` beside the agents, `../providers.yaml` in their parent (upstream's config dir). */
function providersFileLabel(dir: string, file: string): string {
  return dirname(file) === resolve(dir) || dirname(file) === dir ? basename(file) : `../${basename(file)}`;
}

/** A file's text, or why it is refused unread; `hash` tells a changed file from the last scan's. */
type FileContent = { hash: string; text: string; refusal?: undefined } | { hash: string; refusal: ConfigIssue };

/**
 * The YAML files of the directory and their content, agents apart from providers files; hidden
 * entries (ConfigMap `..data`) are skipped.
 */
async function agentFiles(
  dir: string,
): Promise<{ agents: Map<string, FileContent>; providers: Map<string, FileContent> }> {
  const names = (await readdir(dir)).filter((name) => !name.startsWith('.') && /\.ya?ml$/.test(name)).sort();
  const parentProviders = await providersFilesAbove(dir);
  const contents = await Promise.all(
    names.map(async (name) => {
      try {
        return [join(dir, name), await readAgentFile(join(dir, name))] as const;
      } catch {
        return undefined; // removed between readdir and read; the next scan settles it
      }
    }),
  );
  const all = contents.filter((entry) => entry !== undefined);
  return {
    // RAGPipeline documents live beside the agents; the RAG pipeline catalog (runtime/rag) loads them.
    agents: new Map(
      all.filter(
        ([file, content]) =>
          !isProvidersFileName(basename(file)) && !(content.refusal === undefined && isRagPipelineYaml(content.text)),
      ),
    ),
    // Upstream's place first (its config dir, the agents dir's parent), then the agents dir's own:
    // an entry defined in both is the agents dir's, as a later file overrides an earlier one.
    providers: new Map([...parentProviders, ...all.filter(([file]) => isProvidersFileName(basename(file)))]),
  };
}

/**
 * The providers*.yaml files of the agents dir's parent: upstream reads ProviderConfig files from
 * its config dir, whose `agents/` subfolder holds the agent files, so an upstream config layout
 * given to astromeshd as `--agents config/agents` keeps its providers. Unreadable: none.
 */
async function providersFilesAbove(dir: string): Promise<[string, FileContent][]> {
  const parent = dirname(resolve(dir));
  if (parent === resolve(dir)) return [];
  const names = await readdir(parent).catch(() => [] as string[]);
  const files = await Promise.all(
    names
      .filter(isProvidersFileName)
      .sort()
      .map(async (name) => {
        const file = join(parent, name);
        return [file, await readAgentFile(file).catch(() => undefined)] as const;
      }),
  );
  return files.filter((entry): entry is [string, FileContent] => entry[1] !== undefined);
}

/**
 * Reads at most maxAgentFileBytes (and one more, to know it is too big) of a regular file. Opened
 * non-blocking and checked after opening: a FIFO or device named `*.yaml` in the directory is
 * refused, not read, so it can never stall a scan; a huge file is refused without filling memory.
 */
async function readAgentFile(path: string): Promise<FileContent> {
  const handle = await open(path, constants.O_RDONLY | constants.O_NONBLOCK);
  try {
    const stats = await handle.stat();
    if (!stats.isFile()) {
      return { hash: `not-a-file:${stats.mode}`, refusal: { path: [], message: 'not a regular file' } };
    }
    const buffer = Buffer.alloc(Math.min(stats.size, maxAgentFileBytes) + 1);
    let length = 0;
    while (length < buffer.length) {
      const { bytesRead } = await handle.read(buffer, length, buffer.length - length, length);
      if (bytesRead === 0) break;
      length += bytesRead;
    }
    const hash = createHash('sha256').update(buffer.subarray(0, length)).digest('hex');
    if (length > maxAgentFileBytes) {
      return { hash: `${hash}:${stats.size}`, refusal: agentFileTooLarge(Math.max(stats.size, length)) };
    }
    return { hash, text: buffer.subarray(0, length).toString('utf8') };
  } finally {
    await handle.close();
  }
}
