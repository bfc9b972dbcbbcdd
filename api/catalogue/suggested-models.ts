// Models the wizard, the quickstart and the README suggest, per provider: current chat models that
// call tools and that no provider has scheduled for removal (issue 14), the cheap, fast one first.
// Pure data, free of imports, so Studio can import it as it is.
//
// Sources, read 2026-12-02 (where they disagree, the provider's own newest page wins):
// - OpenAI, developers.openai.com/api/docs/deprecations, the newest version (lifecycle states and a
//   table with a Status column): gpt-5, gpt-5-mini, gpt-5-nano (and snapshots) shut down
//   2026-12-11, replaced by gpt-6.1-sol / gpt-6.1-terra (notice 2026-06-11). The GPT-4o, GPT-4o
//   mini, GPT-4.1 and GPT-4.1 mini snapshots shut down 2027-01-14 (announced 2026-10-14). Older
//   copies of the page, and posts quoting them, named other replacements for the same rows
//   (gpt-5.6-sol / gpt-5.6-terra in October 2026; gpt-6-luna for all four 2027 rows in
//   dev.to/importstatic and dev.to/max_bob; gpt-6.1-sol for gpt-4o/gpt-4.1 and gpt-6-luna for the
//   minis in a cometapi notice): we follow the newest table. gpt-4.1-nano, o4-mini, gpt-3.5-turbo
//   and gpt-4 shut down 2026-10-23; gpt-5.1 and gpt-5.4-nano on 2027-04-01 (dev.to/aidriftline).
// - OpenAI model pages: gpt-6-luna (developers.openai.com/api/docs/models/gpt-6-luna, released
//   2026-09-22, $0.10 in / $0.50 out per 1M tokens; function calling on Chat Completions only with
//   reasoning_effort none, the Responses API otherwise); gpt-6.1-terra (released 2026-10-26,
//   $1 / $5) and gpt-6.1-sol (2026-09-29, $2 / $10), per the OpenAI prices LiteLLM's 2026-10-26
//   post quotes.
// - Anthropic, platform.claude.com/docs/en/models/overview (page of 2026-09/10): Haiku 5.5 (from
//   $0.10 / $0.50), Sonnet 5.5 ($2 / $10), Opus 5.5 ($4 / $20), all with tool use; the Haiku 4.5
//   and Sonnet 5 pages say "Legacy" (no retirement date yet). Release notes: claude-3-haiku
//   retired 2026-04-20; Sonnet 4 and Opus 4 retired 2026-06-15; claude-3-7-sonnet 2026-02-19.
// - Groq, console.groq.com/docs/models (production models): openai/gpt-oss-20b ($0.075 / $0.30)
//   and openai/gpt-oss-120b ($0.15 / $0.60). llama-3.1-8b-instant and llama-3.3-70b-versatile
//   were decommissioned 2026-08-16, per Groq's notice as quoted by papi-ai/groq v0.15.2
//   (2026-07-31) and codedaily04/commit-craft#1; Groq's own deprecations table was not readable.
// - Mistral, docs.mistral.ai/models: Mistral Medium 3.5 (2026-04-29, $1.5 / $7.5, function
//   calling) succeeds Medium 3.1; the -latest aliases follow the current model and are not retired.
// - Cohere, docs.cohere.com/docs/deprecations and the 2025-09-15 changelog: command-r,
//   command-r-plus, command and command-light deprecated, no shutdown date assigned (still none on
//   2026-10-17 per developersdigest.tech); command-a-03-2025 recommended; command-r7b-12-2024 is
//   the small tool-using model ($0.0375 / $0.15, OpenRouter's listing).
// - Ollama, ollama.com/library: local models retire with nobody; these three carry the "tools" tag.

/** The providers of WizardConfig step1 (api/schemas/wizard-config.ts `cloudProviders`); a test keeps them equal. */
export type SuggestedModelProvider = 'openai' | 'anthropic' | 'groq' | 'mistral' | 'cohere' | 'ollama';

export interface SuggestedModel {
  /** provider/model, as step1.model takes it. */
  model: string;
  /** A few words for the picker. */
  note: string;
}

export const suggestedModels: Record<SuggestedModelProvider, readonly SuggestedModel[]> = {
  openai: [
    { model: 'openai/gpt-6-luna', note: 'fast, low cost' },
    { model: 'openai/gpt-6.1-terra', note: 'balanced, fast' },
    { model: 'openai/gpt-6.1-sol', note: 'most capable for everyday work' },
  ],
  anthropic: [
    { model: 'anthropic/claude-haiku-5-5', note: 'fast, low cost' },
    { model: 'anthropic/claude-sonnet-5-5', note: 'balanced' },
    { model: 'anthropic/claude-opus-5-5', note: 'most capable, agentic work' },
  ],
  groq: [
    { model: 'groq/openai/gpt-oss-20b', note: 'fast, low cost' },
    { model: 'groq/openai/gpt-oss-120b', note: 'stronger reasoning' },
  ],
  mistral: [
    { model: 'mistral/mistral-small-latest', note: 'fast, low cost' },
    { model: 'mistral/mistral-medium-latest', note: 'frontier-class, Medium 3.5' },
  ],
  cohere: [
    { model: 'cohere/command-r7b-12-2024', note: 'fast, low cost' },
    { model: 'cohere/command-a-03-2025', note: 'most capable, tools and RAG' },
  ],
  ollama: [
    { model: 'ollama/llama3.2', note: 'small, runs on a laptop' },
    { model: 'ollama/qwen3', note: 'tools and thinking' },
    { model: 'ollama/gpt-oss:20b', note: 'open weights, needs 16 GB' },
  ],
};

/** What the quickstart, the README and the wizard start from: OpenAI's replacement tier for gpt-4o-mini. */
export const defaultModel = 'openai/gpt-6-luna';

export interface RetiringModel {
  /** provider/model; its dated snapshots (…-2024-07-18, …-20250514, …-03-2024) retire with it. */
  model: string;
  /** YYYY-MM-DD the provider stops serving it, or null: deprecated, no date assigned yet. */
  shutdownDate: string | null;
}

/**
 * Models with an announced retirement (or already retired), so no suggestion or default can name
 * one again. Old agents naming them still run until the provider stops answering.
 */
export const retiringModels: readonly RetiringModel[] = [
  { model: 'openai/gpt-4.1-nano', shutdownDate: '2026-10-23' },
  { model: 'openai/o4-mini', shutdownDate: '2026-10-23' },
  { model: 'openai/gpt-3.5-turbo', shutdownDate: '2026-10-23' },
  { model: 'openai/gpt-4', shutdownDate: '2026-10-23' },
  { model: 'openai/gpt-4-turbo', shutdownDate: '2026-10-23' },
  { model: 'openai/gpt-5', shutdownDate: '2026-12-11' },
  { model: 'openai/gpt-5-mini', shutdownDate: '2026-12-11' },
  { model: 'openai/gpt-5-nano', shutdownDate: '2026-12-11' },
  { model: 'openai/o3', shutdownDate: '2026-12-11' },
  { model: 'openai/gpt-4o', shutdownDate: '2027-01-14' },
  { model: 'openai/gpt-4o-mini', shutdownDate: '2027-01-14' },
  { model: 'openai/gpt-4.1', shutdownDate: '2027-01-14' },
  { model: 'openai/gpt-4.1-mini', shutdownDate: '2027-01-14' },
  { model: 'openai/gpt-5.1', shutdownDate: '2027-04-01' },
  { model: 'openai/gpt-5.4-nano', shutdownDate: '2027-04-01' },
  { model: 'anthropic/claude-3-7-sonnet', shutdownDate: '2026-02-19' },
  { model: 'anthropic/claude-3-haiku', shutdownDate: '2026-04-20' },
  { model: 'anthropic/claude-sonnet-4', shutdownDate: '2026-06-15' },
  { model: 'anthropic/claude-opus-4', shutdownDate: '2026-06-15' },
  { model: 'groq/llama-3.1-8b-instant', shutdownDate: '2026-08-16' },
  { model: 'groq/llama-3.3-70b-versatile', shutdownDate: '2026-08-16' },
  { model: 'cohere/command-r', shutdownDate: null },
  { model: 'cohere/command-r-plus', shutdownDate: null },
  { model: 'cohere/command', shutdownDate: null },
  { model: 'cohere/command-light', shutdownDate: null },
];
