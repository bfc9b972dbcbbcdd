/**
 * Reads one credential by name (OPENAI_API_KEY, OLLAMA_BASE_URL, SEARCH_API_KEY…). Values come
 * from the watched credentials file or directory first, then the environment; never from agent
 * YAML. Callers must never log what it returns.
 */
export type CredentialsLookup = (name: string) => string | undefined;
