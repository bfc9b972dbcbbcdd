import { PassThrough } from 'node:stream';
import type { Logger } from 'pino';

// A comment line this often keeps proxies and load balancers from closing a quiet stream.
const keepAliveMs = 15_000;
// What a client that lost the stream waits before it reconnects (EventSource's `retry:`).
const reconnectAfterMs = 2_000;

export interface ServerSentEvent {
  id: number;
  data: unknown;
}

/**
 * A text/event-stream body: each event as `id:` and one `data:` line of JSON, a comment line when
 * nothing was sent for a while, and the end of the body after the last event. `abort` fires when
 * the client goes away (Koa destroys the body), so the producer stops waiting for events.
 */
export function serverSentEventsBody(
  produce: (signal: AbortSignal) => AsyncIterable<ServerSentEvent>,
  log: Logger,
): PassThrough {
  const body = new PassThrough();
  const controller = new AbortController();
  // Nothing is written once the client is gone: a write to a destroyed stream is an error event.
  const write = (text: string) => {
    if (!body.destroyed && !body.writableEnded) body.write(text);
  };
  const keepAlive = setInterval(() => write(': keep-alive\n\n'), keepAliveMs);
  keepAlive.unref();
  body.once('close', () => {
    clearInterval(keepAlive);
    controller.abort();
  });
  // Sent at once, so the client has the response (and EventSource its `open`) before the first event.
  write(`retry: ${reconnectAfterMs}\n\n`);
  void (async () => {
    try {
      for await (const event of produce(controller.signal)) {
        if (controller.signal.aborted) break;
        // JSON has no raw newline, so one data line holds the whole event.
        write(`id: ${event.id}\ndata: ${JSON.stringify(event.data)}\n\n`);
      }
      if (!body.destroyed) body.end();
    } catch (err) {
      // The client reconnects with Last-Event-ID and resumes where this stream stopped.
      log.warn({ err }, 'event stream ended by a failure');
      body.destroy();
    } finally {
      clearInterval(keepAlive);
    }
  })();
  return body;
}
