import { readFile } from 'node:fs/promises';
import { basename } from 'node:path';
import { load, YAMLException } from 'js-yaml';
import type { z } from 'zod';
import { formatInputPath } from '../input/format-input-path.ts';
import type { ProviderRegistry } from '../router/provider-registry.ts';
import { apiKeyCredentialName } from '../router/providers/resolve-provider-access.ts';
import { resolveModelBlock } from '../router/resolve-model-block.ts';
import { maxAgentFileBytes, maxAgentYamlAliases, maxAgentYamlDepth } from './agent-file-limits.ts';
import { AgentDocument, GuardrailSpec, type ModelBlock, ModelBlock as ModelBlockSchema } from './agent-schema.ts';
import { findAgentValueProblem } from './find-agent-value-problem.ts';
import { findUnknownKeys } from './find-unknown-keys.ts';
import { normalizeModelSources } from './normalize-model-sources.ts';
import { createSafeTemplateEngine } from './safe-template-engine.ts';
import { skipUnsupportedTools } from './skip-unsupported-tools.ts';

export interface ConfigIssue {
  path: (string | number)[];
  message: string;
  /** From an AgentCheck: the agent still loads, and the issue is one of its warnings (upstream runs it). */
  isWarning?: boolean;
}

/** A check the schema cannot express (a tool that does not exist, a regex that does not compile). */
export type AgentCheck = (agent: AgentDocument) => ConfigIssue[];

/** An agent file the runtime refuses; the message names the file and each field path. */
export class AgentFileError extends Error {
  override name = 'AgentFileError';
  readonly file: string;
  readonly issues: ConfigIssue[];

  constructor(file: string, issues: ConfigIssue[]) {
    super(issues.map((issue) => `${basename(file)}: ${formatPath(issue.path)}: ${issue.message}`).join('\n'));
    this.file = file;
    this.issues = issues;
  }
}

/**
 * What the runtime finds wrong with an agent while building it from a valid file (a tool config
 * its tool refuses). The catalog names the file, turning it into an AgentFileError.
 */
export class AgentConfigError extends Error {
  override name = 'AgentConfigError';
  readonly issues: ConfigIssue[];

  constructor(issues: ConfigIssue[]) {
    super(issues.map((issue) => `${formatPath(issue.path)}: ${issue.message}`).join('\n'));
    this.issues = issues;
  }
}

const templates = createSafeTemplateEngine();

export interface AgentLoadOptions {
  /** The ProviderConfig entries `providerRef` resolves against; without it every providerRef is unknown. */
  providers?: ProviderRegistry;
}

/** An accepted agent, and what it says that the runtime ignores (unknown keys), each naming its field. */
export interface LoadedAgent {
  agent: AgentDocument;
  warnings: ConfigIssue[];
}

export async function loadAgentFile(
  file: string,
  checks: AgentCheck[] = [],
  options: AgentLoadOptions = {},
): Promise<AgentDocument> {
  return parseAgentYaml(await readFile(file, 'utf8'), file, checks, options);
}

export function parseAgentYaml(
  text: string,
  file: string,
  checks: AgentCheck[] = [],
  options: AgentLoadOptions = {},
): AgentDocument {
  return parseAgentYamlWithWarnings(text, file, checks, options).agent;
}

/**
 * The YAML of a config file beside the agents (an agent, a RAG pipeline), within the bounds every
 * such file has: its size, its nesting depth and its aliases. Refused as an AgentFileError.
 */
export function readConfigYaml(text: string, file: string): unknown {
  const bytes = Buffer.byteLength(text, 'utf8');
  if (bytes > maxAgentFileBytes) throw new AgentFileError(file, [agentFileTooLarge(bytes)]);
  try {
    return load(text, { filename: file, maxDepth: maxAgentYamlDepth, maxAliases: maxAgentYamlAliases });
  } catch (err) {
    // Whatever the parser throws (js-yaml asks callers to catch everything), this file is refused.
    const reason = err instanceof YAMLException ? err.message : String(err);
    throw new AgentFileError(file, [{ path: [], message: `not valid YAML: ${reason}` }]);
  }
}

/** parseAgentYaml, keeping the warnings: the catalog logs them and reports them in GET /v1/agents. */
export function parseAgentYamlWithWarnings(
  text: string,
  file: string,
  checks: AgentCheck[] = [],
  options: AgentLoadOptions = {},
): LoadedAgent {
  const checked = checkAgentDocument(readConfigYaml(text, file), checks, options);
  if (!checked.agent) throw new AgentFileError(file, checked.issues);
  return { agent: checked.agent, warnings: checked.warnings };
}

/**
 * Everything the runtime checks before it accepts an agent: the bounds of any document (values,
 * depth, NULs: findAgentValueProblem), the schema, unknown keys, the model blocks (resolved to
 * one provider each: resolveModelBlock), the prompt templates and the given checks. The Cloud API
 * runs the same function on what it compiles, so an agent the runtime would refuse is refused at
 * the API, naming the field. The agent returned has its model blocks resolved.
 */
export function checkAgentDocument(
  raw: unknown,
  checks: AgentCheck[] = [],
  options: AgentLoadOptions = {},
):
  | { agent: AgentDocument; issues: []; warnings: ConfigIssue[] }
  | { agent: undefined; issues: ConfigIssue[]; warnings: ConfigIssue[] } {
  const problem = findAgentValueProblem(raw);
  if (problem) return { agent: undefined, issues: [problem], warnings: [] };
  // Tools of a type upstream has and we do not run are skipped with a warning, as upstream does;
  // every path below is mapped back to the file's own tool index.
  const skipped = skipUnsupportedTools(raw);
  const inFile = (issue: ConfigIssue): ConfigIssue => ({ ...issue, path: skipped.toFilePath(issue.path) });
  const result = checkSupportedDocument(skipped.document, checks, options);
  return {
    ...result,
    issues: result.issues.map(inFile),
    warnings: [...skipped.warnings, ...result.warnings.map(inFile)],
  } as ReturnType<typeof checkAgentDocument>;
}

function checkSupportedDocument(
  raw: unknown,
  checks: AgentCheck[],
  options: AgentLoadOptions,
):
  | { agent: AgentDocument; issues: []; warnings: ConfigIssue[] }
  | { agent: undefined; issues: ConfigIssue[]; warnings: ConfigIssue[] } {
  const document = normalizeModelSources(raw);
  const parsed = AgentDocument.safeParse(document);
  if (!parsed.success) return { agent: undefined, issues: parsed.error.issues.map(toConfigIssue), warnings: [] };
  const unknown = unknownKeyIssues(document, parsed.data);
  const models = resolveModels(parsed.data, options.providers);
  const agent = models.agent;
  const checked = agent ? checks.flatMap((check) => check(agent)) : [];
  const issues = [
    ...unknown.errors,
    ...models.issues,
    ...templateIssues(parsed.data),
    ...checked.filter((issue) => !issue.isWarning),
  ];
  const warnings = [
    ...unknown.warnings,
    ...memoryWarnings(parsed.data),
    ...checked.filter((issue) => issue.isWarning).map(({ path, message }) => ({ path, message })),
  ];
  return issues.length > 0 || agent === undefined
    ? { agent: undefined, issues, warnings }
    : { agent, issues: [], warnings };
}

/** What the file leaves to chance or says the old way (memory, apiVersion): upstream runs these, so they are warnings. */
function memoryWarnings(agent: AgentDocument): ConfigIssue[] {
  const warnings: ConfigIssue[] = [];
  const conversational = agent.spec.memory?.conversational;
  if (conversational?.backend === 'redis' && conversational.connection?.url === undefined) {
    warnings.push({
      path: ['spec', 'memory', 'conversational', 'connection', 'url'],
      message:
        'not set: the REDIS_URL credential is used; without it the agent runs without conversational memory, as upstream does',
    });
  }
  const semantic = agent.spec.memory?.semantic;
  if (semantic !== undefined && semantic.embeddings === undefined) {
    warnings.push({
      path: ['spec', 'memory', 'semantic', 'embeddings'],
      message:
        'not set: semantic memory is off, as upstream ran such files until 0.74 (0.74.1 refuses them); give an embeddings block to turn it on',
    });
  }
  if (agent.apiVersion === 'astromech/v1') {
    warnings.push({
      path: ['apiVersion'],
      message: "astromech/v1 is upstream's name before its rename, read as astromesh/v1",
    });
  }
  return warnings;
}

/**
 * Upstream warns about keys it does not know and runs the rest; so do we, except where ignoring
 * a key would change what runs in a way its author cannot see:
 * - under guardrails: a misspelled setting (`blocked_pattern`) would silently drop a safety rule;
 * - in a tool's rate_limit: a misspelled limit would silently lift it;
 * - `api_key` in a model block: keys never live in agent files (it would also be ignored, and
 *   every call would fail for want of the key the author thought they gave).
 */
function unknownKeyIssues(raw: unknown, parsed: AgentDocument): { errors: ConfigIssue[]; warnings: ConfigIssue[] } {
  const errors: ConfigIssue[] = [];
  const warnings: ConfigIssue[] = [];
  for (const { path, known, owner } of findUnknownKeys(AgentDocument, raw)) {
    const key = String(path[path.length - 1]);
    const knownKeys = `known: ${known.join(', ')}`;
    if (owner === ModelBlockSchema && key === 'api_key') {
      errors.push({ path, message: inlineKeyMessage(valueAt(parsed, path.slice(0, -1)) as ModelBlock) });
    } else if (path[1] === 'guardrails' || owner === GuardrailSpec) {
      errors.push({ path, message: `unknown guardrail setting; it would silently drop a safety rule (${knownKeys})` });
    } else if (path[1] === 'tools' && path[3] === 'rate_limit') {
      errors.push({ path, message: `unknown rate_limit setting; it would silently lift the limit (${knownKeys})` });
    } else {
      warnings.push({ path, message: `unknown key, ignored (${knownKeys})` });
    }
  }
  return { errors, warnings };
}

/**
 * Where the key of a block that carries one inline goes instead: the credential the block reads
 * (its api_key_env, else its provider's own name). Never the value: it is a secret.
 */
function inlineKeyMessage(block: ModelBlock): string {
  const resolved = resolveModelBlock(block, undefined).block;
  const name = block.api_key_env ?? (resolved ? apiKeyCredentialName(resolved) : undefined);
  const where =
    name === undefined
      ? 'put the key in the credentials file (--credentials) and name it in api_key_env'
      : `put the key in the credentials file (--credentials) or the environment as ${name}${block.api_key_env === undefined ? ' (or name another credential in api_key_env)' : ', the credential this block reads'}`;
  return `keys do not live in agent files: remove it and ${where}`;
}

function valueAt(value: unknown, path: (string | number)[]): unknown {
  return path.reduce<unknown>(
    (current, key) => (current as Record<string | number, unknown> | undefined)?.[key],
    value,
  );
}

/** The agent with every model block resolved to one native provider, or why a block cannot be. */
function resolveModels(
  agent: AgentDocument,
  providers: ProviderRegistry | undefined,
): { agent: AgentDocument | undefined; issues: ConfigIssue[] } {
  const issues: ConfigIssue[] = [];
  const resolve = (block: ModelBlock, path: (string | number)[]): ModelBlock => {
    const resolved = resolveModelBlock(block, providers);
    if (resolved.block) return resolved.block;
    issues.push(...resolved.issues.map((issue) => ({ path: [...path, ...issue.path], message: issue.message })));
    return block;
  };
  const base = ['spec', 'model'];
  const model = agent.spec.model;
  const group = (candidates: ModelBlock[], path: (string | number)[]) =>
    candidates.map((block, index) => resolve(block, [...path, 'candidates', index]));
  const resolvedModel: AgentDocument['spec']['model'] = {
    ...model,
    ...(model.primary ? { primary: resolve(model.primary, [...base, 'primary']) } : {}),
    ...(model.fallback ? { fallback: resolve(model.fallback, [...base, 'fallback']) } : {}),
    ...(model.extra
      ? {
          extra: Object.fromEntries(
            Object.entries(model.extra).map(([alias, block]) => [alias, resolve(block, [...base, 'extra', alias])]),
          ),
        }
      : {}),
    ...(model.default
      ? { default: { ...model.default, candidates: group(model.default.candidates, [...base, 'default']) } }
      : {}),
    ...(model.roles
      ? {
          roles: Object.fromEntries(
            Object.entries(model.roles).map(([role, roleGroup]) => [
              role,
              { ...roleGroup, candidates: group(roleGroup.candidates, [...base, 'roles', role]) },
            ]),
          ),
        }
      : {}),
  };
  if (issues.length > 0) return { agent: undefined, issues };
  return { agent: { ...agent, spec: { ...agent.spec, model: resolvedModel } }, issues: [] };
}

function templateIssues(agent: AgentDocument): ConfigIssue[] {
  const prompts = agent.spec.prompts;
  const sources: [ConfigIssue['path'], string][] = [];
  if (prompts?.system !== undefined) sources.push([['spec', 'prompts', 'system'], prompts.system]);
  if (prompts?.context !== undefined) sources.push([['spec', 'prompts', 'context'], prompts.context]);
  for (const [name, template] of Object.entries(prompts?.templates ?? {})) {
    sources.push([['spec', 'prompts', 'templates', name], template]);
  }
  return sources.flatMap(([path, source]) => {
    try {
      templates.parse(source);
      return [];
    } catch (err) {
      return [{ path, message: `template does not parse: ${templateErrorMessage(err)}` }];
    }
  });
}

function templateErrorMessage(err: unknown): string {
  // Liquid parses nested blocks recursively; past the stack it wraps the RangeError, whose
  // message says nothing to the template's author. Where the stack runs out decides the error:
  // inside a regular expression's compilation V8 reports a SyntaxError "… Stack overflow" instead.
  const cause = (err as { originalError?: unknown }).originalError;
  if (cause instanceof RangeError || isStackOverflow(cause) || isStackOverflow(err)) {
    return 'its tags are nested too deeply';
  }
  return err instanceof Error ? err.message : String(err);
}

const isStackOverflow = (err: unknown): boolean =>
  err instanceof Error && /Maximum call stack size exceeded|: Stack overflow\b/.test(err.message);

function toConfigIssue(issue: z.core.$ZodIssue): ConfigIssue {
  return { path: issue.path.map((key) => (typeof key === 'symbol' ? String(key) : key)), message: issue.message };
}

/** Why a file larger than the runtime reads is refused. */
export function agentFileTooLarge(bytes: number): ConfigIssue {
  return { path: [], message: `the file is ${bytes} bytes, more than the ${maxAgentFileBytes} an agent file may have` };
}

/** `spec.tools[0].name`; keys are caller input, so they are shortened and their control characters escaped. */
export function formatPath(path: ConfigIssue['path']): string {
  return formatInputPath(path, '(document)');
}
