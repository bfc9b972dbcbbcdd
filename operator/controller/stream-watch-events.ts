import type { KubernetesObject } from '@kubernetes/client-node';
import { kubeApiErrorFromStatus } from './kube-api-error.ts';
import { getFromKube, type KubeGetRequest } from './kube-request.ts';

/** One event of a watch, as the API server sends it (ERROR events become errors instead). */
export interface WatchEvent {
  type: 'ADDED' | 'MODIFIED' | 'DELETED' | 'BOOKMARK';
  object: KubernetesObject;
}

/**
 * Opens one watch on `path` and calls `onEvent` for every event, in order. Resolves when the
 * server ends the watch (its `timeoutSeconds` ran out); rejects when the request fails, the
 * stream breaks, `signal` aborts, `onEvent` throws, or the server sends an ERROR event (as the
 * `KubeApiError` its Status describes, e.g. 410 for an expired resource version).
 */
export async function streamWatchEvents(
  request: KubeGetRequest & { onEvent: (event: WatchEvent) => void },
): Promise<void> {
  const { onEvent, ...get } = request;
  await getFromKube({ ...get, query: { ...get.query, watch: true } }, async (response) => {
    const decoder = new TextDecoder();
    let pending = '';
    for await (const chunk of response) {
      const text = decoder.decode(chunk as Buffer, { stream: true });
      // A large object comes in many chunks: split only once its line is complete.
      pending += text;
      if (!text.includes('\n')) continue;
      const lines = pending.split('\n');
      pending = lines.pop() ?? '';
      for (const line of lines) if (line.trim()) onEvent(parseWatchLine(line));
    }
    // An aborted or broken connection can end the stream quietly: that is not the server's end.
    get.signal?.throwIfAborted();
    if (!response.complete) throw new Error('the watch stream broke off');
    pending += decoder.decode();
    if (pending.trim()) onEvent(parseWatchLine(pending));
  });
}

function parseWatchLine(line: string): WatchEvent {
  const event = JSON.parse(line) as { type?: string; object?: KubernetesObject };
  if (event.type === 'ERROR') throw kubeApiErrorFromStatus(event.object, 500);
  if (
    (event.type === 'ADDED' || event.type === 'MODIFIED' || event.type === 'DELETED' || event.type === 'BOOKMARK') &&
    event.object
  ) {
    return { type: event.type, object: event.object };
  }
  throw new Error(`unexpected watch event: ${line.slice(0, 200)}`);
}
