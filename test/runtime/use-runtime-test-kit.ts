import { afterEach } from 'vitest';
import type { ProviderName } from '../../runtime/config/agent-schema.ts';
import type { FakeProvider, FakeProviderOptions } from '../fakes/fake-provider.ts';
import { startFakeProvider } from '../fakes/start-fake-provider.ts';
import { startTestRuntime, type TestRuntime } from '../support/start-test-runtime.ts';

type RuntimeOptions = Omit<NonNullable<Parameters<typeof startTestRuntime>[0]>, 'agents'>;

/**
 * The set-up the runtime tests share, for one describe block: what a test starts is stopped
 * after it (newest first, whether it passed or not), fakes of the OpenAI provider, and astromeshd
 * in this process with an OpenAI test key.
 */
export function useRuntimeTestKit() {
  const cleanups: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });
  async function startFake(provider: ProviderName = 'openai', options?: FakeProviderOptions): Promise<FakeProvider> {
    const fake = await startFakeProvider(provider, options);
    cleanups.push(() => fake.close());
    return fake;
  }
  return {
    /** Run after the test, newest first; helpers that take a cleanups list push onto it. */
    cleanups,

    /** A fake provider (OpenAI unless named), closed after the test. */
    startFake,

    /** One fake OpenAI provider per name, each closed after the test. */
    async fakes<const Name extends string>(...names: Name[]): Promise<Record<Name, FakeProvider>> {
      const fakes = {} as Record<Name, FakeProvider>;
      for (const name of names) fakes[name] = await startFake();
      return fakes;
    },

    /**
     * astromeshd in this process over `agents`, stopped after the test. Its credentials are
     * `OPENAI_API_KEY: sk-test` and `options.credentials`; the other options are startTestRuntime's.
     */
    async runtime(agents: Record<string, string>, options: RuntimeOptions = {}): Promise<TestRuntime> {
      const runtime = await startTestRuntime({
        ...options,
        agents,
        credentials: { OPENAI_API_KEY: 'sk-test', ...options.credentials },
      });
      cleanups.push(() => runtime.stop());
      return runtime;
    },
  };
}
