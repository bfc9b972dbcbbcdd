import type { Logger } from 'pino';

/**
 * The AI SDK reports provider warnings (a setting a model ignores…) through one process-wide
 * hook; without it they go to stderr as plain text. Only main calls this: it is process state.
 */
export function routeSdkWarningsTo(log: Logger): void {
  (globalThis as { AI_SDK_LOG_WARNINGS?: unknown }).AI_SDK_LOG_WARNINGS = (options: {
    warnings: unknown[];
    provider?: string;
    model?: string;
  }) =>
    log.warn(
      { provider: options.provider, model: options.model, warnings: options.warnings },
      'model provider warning',
    );
}
