import { type ModelPrice, modelPrices } from './model-prices.ts';

/** Overrides from ASTROMESH_MODEL_PRICES: `provider/model-prefix` or `provider/*` → price. */
export type ModelPriceOverrides = Record<string, ModelPrice>;

/** A run's model (provider/model, as run answers name it) and its tokens. */
export interface PricedRun {
  model: string | null;
  tokensIn: number;
  tokensOut: number;
}

/**
 * Prices runs: the cost in nano-dollars (USD × 1e9, a whole number: sums stay exact and 1e-9 USD
 * is far below any price of one token), or null for a model nobody priced ("unpriced"; never a
 * guess). An override (ASTROMESH_MODEL_PRICES) wins over the built-in table: the longest matching
 * override first, `provider/*` matching every model of its provider, then the table's longest
 * prefix. Like runtime/router/model-catalog.ts, a dated snapshot (gpt-4o-mini-2024-07-18) matches
 * its family and a vendor prefix in the name (groq/openai/gpt-oss-20b) is dropped.
 */
export function createRunPricing(overrides: ModelPriceOverrides = {}) {
  const overrideEntries = Object.entries(overrides)
    .map(([key, price]) => ({ prefix: key.toLowerCase().replace(/\*$/, ''), price }))
    .sort((a, b) => b.prefix.length - a.prefix.length);

  function priceOf(model: string): ModelPrice | null {
    const name = model.toLowerCase();
    const override = overrideEntries.find((entry) => name.startsWith(entry.prefix));
    if (override) return override.price;
    const slash = name.indexOf('/');
    if (slash < 0) return null;
    const table = modelPrices[name.slice(0, slash)];
    if (!table) return null;
    const modelName = name.slice(slash + 1).replace(/^[^/]+\//, '');
    const prefix = Object.keys(table)
      .filter((candidate) => modelName.startsWith(candidate))
      .sort((a, b) => b.length - a.length)[0];
    return prefix === undefined ? null : (table[prefix] ?? null);
  }

  return {
    priceOf,
    /** The run's cost in nano-dollars, rounded to the nearest; null when its model is unpriced. */
    costNanoUsdOf(run: PricedRun): number | null {
      if (run.model === null) return run.tokensIn + run.tokensOut === 0 ? 0 : null;
      const price = priceOf(run.model);
      if (!price) return null;
      // USD per million tokens × 1000 = nano-dollars per token.
      return Math.round(run.tokensIn * price.input * 1000 + run.tokensOut * price.output * 1000);
    },
  };
}
export type RunPricing = ReturnType<typeof createRunPricing>;

/** Nano-dollars as the USD number answers carry (null stays null). */
export const usdOfNano = (nano: number | null): number | null => (nano === null ? null : nano / 1e9);
