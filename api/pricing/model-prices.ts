// List prices per provider and model, USD per million tokens, input (prompt) and output
// (completion). Pure data, free of imports. Checked 2026-12-02 (`pricesCheckedAt`); keep it current
// when api/catalogue/suggested-models.ts changes.
//
// Sources (the same pages api/catalogue/suggested-models.ts cites, read 2026-12-02):
// - OpenAI model pages: gpt-6-luna $0.10 / $0.50; gpt-6.1-terra $1 / $5 and gpt-6.1-sol $2 / $10
//   (OpenAI's prices as LiteLLM's 2026-10-26 post quotes them).
// - Anthropic, platform.claude.com/docs/en/models/overview: Haiku 5.5 $0.10 / $0.50 (its "from"
//   price), Sonnet 5.5 $2 / $10, Opus 5.5 $4 / $20.
// - Groq, console.groq.com/docs/models: openai/gpt-oss-20b $0.075 / $0.30, openai/gpt-oss-120b
//   $0.15 / $0.60.
// - Mistral, docs.mistral.ai/models: Mistral Medium 3.5 (and the -latest alias) $1.5 / $7.5.
// - Cohere: command-r7b $0.0375 / $0.15 (OpenRouter's listing).
// - Older and retired models keep the providers' last published list prices (their input + output
//   sum is the blended price runtime/router/model-catalog.ts ranks by), so usage of past months
//   and agents not yet moved to a current model are still priced.
// Ollama runs on the org's own hardware: every model costs 0 per token. azure_openai and
// openai_compat are priced by whoever runs them: unpriced unless ASTROMESH_MODEL_PRICES says.

/** USD per million tokens. */
export interface ModelPrice {
  input: number;
  output: number;
}

export const pricesCheckedAt = '2026-12-02';

/** Provider → model name prefix → price. The longest prefix that starts the model name wins. */
export const modelPrices: Record<string, Record<string, ModelPrice>> = {
  openai: {
    'gpt-6-luna': { input: 0.1, output: 0.5 },
    'gpt-6.1-terra': { input: 1, output: 5 },
    'gpt-6.1-sol': { input: 2, output: 10 },
    'gpt-5': { input: 1.25, output: 10 },
    'gpt-4.1-nano': { input: 0.1, output: 0.4 },
    'gpt-4.1-mini': { input: 0.4, output: 1.6 },
    'gpt-4.1': { input: 2, output: 8 },
    'gpt-4o-mini': { input: 0.15, output: 0.6 },
    'gpt-4o': { input: 2.5, output: 10 },
    o3: { input: 2, output: 8 },
    'o4-mini': { input: 1.1, output: 4.4 },
  },
  anthropic: {
    'claude-haiku-5-5': { input: 0.1, output: 0.5 },
    'claude-sonnet-5-5': { input: 2, output: 10 },
    'claude-opus-5-5': { input: 4, output: 20 },
    'claude-3-5-haiku': { input: 0.8, output: 4 },
    'claude-haiku': { input: 1, output: 5 },
    'claude-3-7-sonnet': { input: 3, output: 15 },
    'claude-sonnet': { input: 3, output: 15 },
    'claude-opus': { input: 15, output: 75 },
  },
  groq: {
    'gpt-oss-20b': { input: 0.075, output: 0.3 },
    'gpt-oss-120b': { input: 0.15, output: 0.6 },
    'llama-3.1-8b': { input: 0.05, output: 0.08 },
    'llama-3.3-70b': { input: 0.59, output: 0.79 },
  },
  mistral: {
    'mistral-medium-3.5': { input: 1.5, output: 7.5 },
    'mistral-medium-latest': { input: 1.5, output: 7.5 },
    'mistral-medium': { input: 0.4, output: 2 },
    'mistral-small': { input: 0.1, output: 0.3 },
    'mistral-large': { input: 2, output: 6 },
  },
  cohere: {
    'command-r7b': { input: 0.0375, output: 0.15 },
    'command-r-plus': { input: 2.5, output: 10 },
    'command-r': { input: 0.15, output: 0.6 },
    'command-a': { input: 2.5, output: 10 },
  },
  // Every model: '' is a prefix of every name.
  ollama: { '': { input: 0, output: 0 } },
};
