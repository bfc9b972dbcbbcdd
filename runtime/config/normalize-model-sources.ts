/**
 * An agent document with every model block's `source` and `provider` trimmed and lowercased, as
 * upstream reads them (`.strip().lower()` in runtime/engine.py): `source: OpenAI` runs there, so
 * it loads here. Runs on the raw document before the schema; anything that is not a model block
 * where one belongs is returned as it is, for the schema to judge. Never mutates its input.
 */
export function normalizeModelSources(raw: unknown): unknown {
  if (!isRecord(raw) || !isRecord(raw.spec) || !isRecord(raw.spec.model)) return raw;
  const model = { ...raw.spec.model };
  for (const slot of ['primary', 'fallback', 'default'] as const) {
    if (slot in model) model[slot] = slot === 'default' ? normalizeGroup(model[slot]) : normalizeBlock(model[slot]);
  }
  if (isRecord(model.extra)) {
    model.extra = Object.fromEntries(
      Object.entries(model.extra).map(([alias, block]) => [alias, normalizeBlock(block)]),
    );
  }
  if (isRecord(model.roles)) {
    model.roles = Object.fromEntries(Object.entries(model.roles).map(([role, group]) => [role, normalizeGroup(group)]));
  }
  return { ...raw, spec: { ...raw.spec, model } };
}

/** A provider name as upstream compares it; anything but a string is left for the schema. */
export function normalizeSourceName(value: unknown): unknown {
  return typeof value === 'string' ? value.trim().toLowerCase() : value;
}

function normalizeGroup(group: unknown): unknown {
  if (!isRecord(group) || !Array.isArray(group.candidates)) return group;
  return { ...group, candidates: group.candidates.map(normalizeBlock) };
}

function normalizeBlock(block: unknown): unknown {
  if (!isRecord(block)) return block;
  const normalized = { ...block };
  for (const key of ['source', 'provider'] as const) {
    if (key in normalized) normalized[key] = normalizeSourceName(normalized[key]);
  }
  return normalized;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}
