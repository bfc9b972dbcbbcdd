import { readFile } from 'node:fs/promises';
import { basename } from 'node:path';
import { load, YAMLException } from 'js-yaml';
import type { z } from 'zod';
import { AgentDocument } from './agent-schema.ts';
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
  let raw: unknown;
  try {
    raw = load(text, { filename: file });
  } catch (err) {
    const reason = err instanceof YAMLException ? err.message : String(err);
    throw new AgentFileError(file, [{ path: [], message: `not valid YAML: ${reason}` }]);
  }
  const checked = checkAgentDocument(raw, checks);
  if (!checked.agent) throw new AgentFileError(file, checked.issues);
  return checked.agent;
}

/**
 * Everything the runtime checks before it accepts an agent: the schema, the prompt templates and
 * the given checks. The Cloud API runs the same function on what it compiles, so an agent the
 * runtime would refuse is refused at the API, naming the field.
 */
export function checkAgentDocument(
  raw: unknown,
  checks: AgentCheck[] = [],
): { agent: AgentDocument; issues: [] } | { agent: undefined; issues: ConfigIssue[] } {
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
      return [{ path, message: `template does not parse: ${(err as Error).message}` }];
    }
  });
}

function toConfigIssue(issue: z.core.$ZodIssue): ConfigIssue {
  return { path: issue.path.map((key) => (typeof key === 'symbol' ? String(key) : key)), message: issue.message };
}

export function formatPath(path: ConfigIssue['path']): string {
  if (path.length === 0) return '(document)';
  return path.reduce<string>(
    (out, key) => (typeof key === 'number' ? `${out}[${key}]` : out ? `${out}.${key}` : key),
    '',
  );
}
