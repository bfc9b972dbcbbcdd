// A fake OpenAI-compatible provider in its own process, so the benchmark's load generator and
// the fake do not share one event loop. Prints its base URL as the first line of stdout.
import { fakeReply } from '../fakes/fake-reply.ts';
import { startFakeProvider } from '../fakes/start-fake-provider.ts';
import { benchFakeAnswer } from './bench-fake-answer.ts';

const fake = await startFakeProvider('openai', {
  defaultReply: fakeReply.text(benchFakeAnswer, {
    usage: { inputTokens: 20, outputTokens: 10 },
  }),
  maxRecordedRequests: 1,
});
process.stdout.write(`${fake.baseUrl}\n`);
process.on('SIGTERM', () => {
  void fake.close().then(() => process.exit(0));
});
