// Free of imports, so Studio (studio/src) can offer the providers as values without bundling zod.

/** The model providers an org can hold a key for and an agent can name (seed 003, Provider Keys). */
export const cloudProviders = ['openai', 'anthropic', 'groq', 'mistral', 'cohere', 'ollama'] as const;
export type CloudProviderName = (typeof cloudProviders)[number];
