import { basename } from 'node:path';
import { load } from 'js-yaml';
import { z } from 'zod';
import { maxAgentYamlAliases, maxAgentYamlDepth } from '../config/agent-file-limits.ts';
import { ModelBlock, ModelSource } from '../config/agent-schema.ts';
import { normalizeSourceName } from '../config/normalize-model-sources.ts';

/**
 * The named providers agent files reach with `providerRef`, from upstream's `kind: ProviderConfig`
 * files (`providers*.yaml` in the config directory; here the agents directory, which is the one
 * directory a Kubernetes ConfigMap mounts). Later files override earlier entries, as upstream's do.
 */
export interface ProviderRegistry {
  entries: Map<string, { block: Partial<ModelBlock> }>;
  /** The files read, by base name, for error messages. */
  files: string[];
  /** Why a file or an entry was left out; named in the error of any agent that refers to it. */
  problems: string[];
}

/** upstream's file name for ProviderConfig documents (runtime/provider_registry.py). */
export const isProvidersFileName = (name: string): boolean => /^providers[^/]*\.ya?ml$/.test(name);

const shape = ModelBlock.shape;
const ProviderEntry = z.object({
  // Kept as text so that an entry of a type we cannot serve (centinela, onnx) names it and what is
  // supported when an agent refers to it, instead of breaking the whole file.
  type: z.string().min(1).max(64),
  endpoint: shape.endpoint,
  api_key_env: shape.api_key_env,
  models: z.array(z.string().min(1).max(256)).max(256).optional(),
  timeout: shape.timeout,
  deployment: shape.deployment,
  api_version: shape.api_version,
  parameters: shape.parameters,
  // Secrets do not live in YAML; the entry is refused, naming api_key_env instead.
  api_key: z.unknown().optional(),
});

const ProviderConfigFile = z.object({
  apiVersion: z.literal('astromesh/v1').optional(),
  kind: z.literal('ProviderConfig'),
  spec: z.object({ providers: z.record(z.string().min(1).max(63), z.unknown()).optional() }),
});

export function emptyProviderRegistry(): ProviderRegistry {
  return { entries: new Map(), files: [], problems: [] };
}

/** Adds one ProviderConfig file's entries to the registry; a broken file or entry is noted, never thrown. */
export function addProviderConfig(registry: ProviderRegistry, text: string, file: string): void {
  // A file above the agents dir comes labelled `../providers.yaml`; keep that, it says where it is.
  const name = file.startsWith('../') ? file : basename(file);
  registry.files.push(name);
  let raw: unknown;
  try {
    raw = load(text, { filename: file, maxDepth: maxAgentYamlDepth, maxAliases: maxAgentYamlAliases });
  } catch (err) {
    registry.problems.push(`${name} is not valid YAML: ${err instanceof Error ? err.message.split('\n')[0] : err}`);
    return;
  }
  const parsed = ProviderConfigFile.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    registry.problems.push(`${name}: ${issue?.path.join('.') || '(document)'}: ${issue?.message}`);
    return;
  }
  for (const [ref, value] of Object.entries(parsed.data.spec.providers ?? {})) {
    const entry = ProviderEntry.safeParse(value);
    if (!entry.success) {
      const issue = entry.error.issues[0];
      registry.entries.delete(ref);
      registry.problems.push(`${name}: spec.providers.${ref}.${issue?.path.join('.')}: ${issue?.message}`);
      continue;
    }
    const { type, models, api_key: apiKey, ...rest } = entry.data;
    if (apiKey !== undefined) {
      registry.entries.delete(ref);
      registry.problems.push(
        `${name}: spec.providers.${ref}.api_key: keys do not live in YAML; name the variable in api_key_env`,
      );
      continue;
    }
    // Upstream compares provider names trimmed and lowercased, so `type: vLLM` works there and here.
    const source = ModelSource.safeParse(normalizeSourceName(type));
    if (!source.success) {
      registry.entries.delete(ref);
      registry.problems.push(`${name}: spec.providers.${ref}.type: ${source.error.issues[0]?.message}`);
      continue;
    }
    const block: Partial<ModelBlock> = { source: source.data, model: models?.[0] ?? ref };
    for (const [key, setting] of Object.entries(rest)) {
      if (setting !== undefined) Object.assign(block, { [key]: setting });
    }
    registry.entries.set(ref, { block });
  }
}
