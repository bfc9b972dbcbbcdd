/**
 * Writes items in batches without delaying any: an item goes out at once when nothing is being
 * written, and items that arrive while a batch is in flight go out together right after it, up
 * to `maxBatch` at a time. Each item's promise settles with its batch, so a failed batch fails
 * every item in it (each caller then retries or reports its own). Under load this turns a round
 * trip and a commit per item into one per batch (issue 13: a usage record per run).
 */
export function createWriteBatcher<T>(options: {
  writeAll: (items: T[]) => Promise<void>;
  maxBatch: number;
}): (item: T) => Promise<void> {
  let waiting: { item: T; resolve: () => void; reject: (err: unknown) => void }[] = [];
  let isWriting = false;

  async function writeWaiting(): Promise<void> {
    isWriting = true;
    while (waiting.length > 0) {
      const batch = waiting.slice(0, options.maxBatch);
      waiting = waiting.slice(batch.length);
      try {
        await options.writeAll(batch.map((entry) => entry.item));
        for (const entry of batch) entry.resolve();
      } catch (err) {
        for (const entry of batch) entry.reject(err);
      }
    }
    isWriting = false;
  }

  return (item) =>
    new Promise<void>((resolve, reject) => {
      waiting.push({ item, resolve, reject });
      if (!isWriting) void writeWaiting();
    });
}
