import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { ConfigError } from '../config/config-error.ts';
import type { ModelPriceOverrides } from './price-runs.ts';

const variable = 'ASTROMESH_MODEL_PRICES';

const Price = z.strictObject({ input: z.number().min(0), output: z.number().min(0) });
// provider/model-prefix, or provider/* for every model of the provider.
const Key = z.string().regex(/^[a-z0-9_.-]+\/([^*\s]+|[^*\s]*\*)$/i);

/**
 * ASTROMESH_MODEL_PRICES: a JSON object, or the path of a file holding one (a value that does not
 * start with `{`), e.g. `{"openai/gpt-6-luna": {"input": 0.1, "output": 0.5}, "ollama/*": {...}}`,
 * USD per million tokens. Checked at start; an error names the variable and the bad key.
 */
export function loadModelPriceOverrides(value: string | undefined): ModelPriceOverrides {
  if (value === undefined || value.trim() === '') return {};
  let text = value;
  if (!value.trim().startsWith('{')) {
    try {
      text = readFileSync(value, 'utf8');
    } catch (err) {
      throw new ConfigError(`${variable}: cannot read the file ${value} (${(err as Error).message})`);
    }
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (err) {
    throw new ConfigError(`${variable} is not JSON: ${(err as Error).message}`);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed))
    throw new ConfigError(`${variable} must be a JSON object of "provider/model": {"input": n, "output": n}`);
  const overrides: ModelPriceOverrides = {};
  for (const [key, price] of Object.entries(parsed)) {
    if (!Key.safeParse(key).success)
      throw new ConfigError(`${variable}: key '${key}' must be provider/model or provider/* (e.g. openai/gpt-6-luna)`);
    const checked = Price.safeParse(price);
    if (!checked.success) {
      const issue = checked.error.issues[0];
      const field = issue?.path.join('.') || 'price';
      throw new ConfigError(
        `${variable}: '${key}' ${field}: ${issue?.message ?? 'invalid'} (want {"input": USD per 1M tokens, "output": …})`,
      );
    }
    overrides[key] = checked.data;
  }
  return overrides;
}
