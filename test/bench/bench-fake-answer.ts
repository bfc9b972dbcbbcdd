/** What the benchmarks' fake provider (fake-provider-process.ts) answers every call with. */
export const benchFakeAnswer = 'The quick brown fox jumps over the lazy dog.';
