import type { ModelBlock } from '../../config/agent-schema.ts';
import type { CredentialsLookup } from '../../config/credentials-lookup.ts';
import type { CandidateClient, ModelChunk } from '../model-types.ts';
import { ProviderCallError } from '../model-types.ts';
import { resolveModelBlock } from '../resolve-model-block.ts';
import { isChatCompletionsProvider } from './chat-completions-target.ts';
import { createChatCompletionsClient } from './create-chat-completions-client.ts';
import type { SdkCandidate } from './create-sdk-candidate-client.ts';

export interface CandidateClientDeps {
  /** Resolved at load (resolveModelBlock); a block in any other form of the file is resolved here. */
  block: ModelBlock;
  /** Read on every call, so rotated keys and base URLs apply at once. */
  credentials: CredentialsLookup;
}

/**
 * One model candidate behind the CandidateClient contract. Building it never fails: a missing
 * key or a bad parameter fails each call instead, so the router can fall back to the next
 * candidate. Each call is exactly one HTTP attempt. Providers that speak OpenAI's Chat
 * Completions wire are called directly (createChatCompletionsClient); the others through the AI
 * SDK, whose modules load on their first call (a good part of idle memory, issue 13).
 */
export function createCandidateClient(deps: CandidateClientDeps): CandidateClient {
  const { credentials } = deps;
  const resolved = resolveModelBlock(deps.block, undefined);
  if (resolved.block === undefined) {
    // Only a block that bypassed the loader gets here (providerRef needs the providers files).
    const { source, provider, providerRef, model } = deps.block;
    const label = `${providerRef ?? source ?? provider ?? 'unknown'}/${model ?? 'unknown'}`;
    const message = resolved.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`).join('; ');
    const fail = () => new ProviderCallError({ candidate: label, isRetryable: false, message });
    return {
      label,
      generate: () => Promise.reject(fail()),
      stream: () => ({
        [Symbol.asyncIterator]: () => ({ next: () => Promise.reject(fail()) }),
      }),
    };
  }
  const block = resolved.block;
  const label = `${block.provider}/${block.model}`;
  const { provider } = block;
  if (isChatCompletionsProvider(provider)) {
    return createChatCompletionsClient({ block: { ...block, provider }, credentials, label });
  }
  return createLazySdkClient({ block, credentials, label });
}

/** The AI SDK client for `candidate`, built on the first call: importing the SDK is what costs. */
function createLazySdkClient(candidate: SdkCandidate): CandidateClient {
  let client: Promise<CandidateClient> | undefined;
  const load = () => {
    client ??= import('./create-sdk-candidate-client.ts').then((sdk) => sdk.createSdkCandidateClient(candidate));
    return client;
  };
  return {
    label: candidate.label,
    generate: async (request, signal) => (await load()).generate(request, signal),
    stream: async function* (request, signal): AsyncIterable<ModelChunk> {
      yield* (await load()).stream(request, signal);
    },
  };
}
