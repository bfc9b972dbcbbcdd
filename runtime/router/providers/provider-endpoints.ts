// Where each provider's API lives under the endpoint an agent file names. Kept apart from the
// clients so that the direct Chat Completions client, the AI SDK models and the embedders agree,
// and so that reading them loads no provider package.

/** Azure OpenAI's newest generally available data-plane API version when this was written. */
export const defaultAzureApiVersion = '2024-10-21';

/** `https://{resource}.openai.azure.com/openai/v1`: Azure's v1 API, which speaks OpenAI's paths. */
export function isAzureV1Endpoint(endpoint: string): boolean {
  return /\/openai\/v1\/*$/.test(endpoint);
}

/** `https://{resource}.openai.azure.com` → `…/openai/deployments/{deployment}`; a full `…/openai` works too. */
export function azureDeploymentUrl(endpoint: string, deployment: string): string {
  const trimmed = endpoint.replace(/\/+$/, '');
  const root = trimmed.endsWith('/openai') ? trimmed : `${trimmed}/openai`;
  return `${root}/deployments/${encodeURIComponent(deployment)}`;
}

/**
 * Agent files name the Ollama host (`http://localhost:11434`, the upstream format); the SDK
 * wants the API root under it. Both spellings work.
 */
export function ollamaApiUrl(endpoint: string): string {
  const trimmed = endpoint.replace(/\/+$/, '');
  return trimmed.endsWith('/api') ? trimmed : `${trimmed}/api`;
}
