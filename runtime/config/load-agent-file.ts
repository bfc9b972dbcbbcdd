import { readFile } from 'node:fs/promises';
import { basename } from 'node:path';
import { load, YAMLException } from 'js-yaml';
import type { z } from 'zod';
import { formatInputPath } from '../input/format-input-path.ts';
import { maxAgentFileBytes, maxAgentYamlAliases, maxAgentYamlDepth } from './agent-file-limits.ts';
import { AgentDocument } from './agent-schema.ts';
import { findAgentValueProblem } from './find-agent-value-problem.ts';
import { createSafeTemplateEngine } from './safe-template-engine.ts';

export interface ConfigIssue {
  path: (string | number)[];
  message: string;
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

export async function loadAgentFile(file: string, checks: AgentCheck[] = []): Promise<AgentDocument> {
  return parseAgentYaml(await readFile(file, 'utf8'), file, checks);
}

export function parseAgentYaml(text: string, file: string, checks: AgentCheck[] = []): AgentDocument {
  const bytes = Buffer.byteLength(text, 'utf8');
  if (bytes > maxAgentFileBytes) throw new AgentFileError(file, [agentFileTooLarge(bytes)]);
  let raw: unknown;
  try {
    raw = load(text, { filename: file, maxDepth: maxAgentYamlDepth, maxAliases: maxAgentYamlAliases });
  } catch (err) {
    // Whatever the parser throws (js-yaml asks callers to catch everything), this file is refused.
    const reason = err instanceof YAMLException ? err.message : String(err);
    throw new AgentFileError(file, [{ path: [], message: `not valid YAML: ${reason}` }]);
  }
  const checked = checkAgentDocument(raw, checks);
  if (!checked.agent) throw new AgentFileError(file, checked.issues);
  return checked.agent;
}

/**
 * Everything the runtime checks before it accepts an agent: the bounds of any document (values,
 * depth, NULs: findAgentValueProblem), the schema, the prompt templates and the given checks. The Cloud API runs the same function on what it compiles, so an agent the
 * runtime would refuse is refused at the API, naming the field.
 */
export function checkAgentDocument(
  raw: unknown,
  checks: AgentCheck[] = [],
): { agent: AgentDocument; issues: [] } | { agent: undefined; issues: ConfigIssue[] } {
  const problem = findAgentValueProblem(raw);
  if (problem) return { agent: undefined, issues: [problem] };
  const parsed = AgentDocument.safeParse(raw);
  if (!parsed.success) return { agent: undefined, issues: parsed.error.issues.map(toConfigIssue) };
  const issues = [...templateIssues(parsed.data), ...checks.flatMap((check) => check(parsed.data))];
  return issues.length > 0 ? { agent: undefined, issues } : { agent: parsed.data, issues: [] };
}

function templateIssues(agent: AgentDocument): ConfigIssue[] {
  const prompts = agent.spec.prompts;
  const sources: [ConfigIssue['path'], string][] = [];
  if (prompts?.system !== undefined) sources.push([['spec', 'prompts', 'system'], prompts.system]);
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
