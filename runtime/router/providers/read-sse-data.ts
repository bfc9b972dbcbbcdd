import type { IncomingMessage } from 'node:http';
import { bodyCutShort } from './send-provider-request.ts';

/**
 * The `data` of each server-sent event of a response, as the events complete (multi-line data
 * joined by newlines, comments and other fields skipped, CRLF or LF). A connection that drops
 * mid-body throws as bodyCutShort says (the signal's reason, else TypeError 'terminated'), so the
 * caller's error mapping treats it as the retryable connection failure it is.
 */
export async function* readSseData(response: IncomingMessage, signal: AbortSignal): AsyncGenerator<string> {
  response.setEncoding('utf8');
  let pending = '';
  let data: string[] = [];
  try {
    for await (const chunk of response as AsyncIterable<string>) {
      pending += chunk;
      let newline = pending.indexOf('\n');
      while (newline !== -1) {
        const line = pending.charCodeAt(newline - 1) === 13 ? pending.slice(0, newline - 1) : pending.slice(0, newline);
        pending = pending.slice(newline + 1);
        if (line.length === 0) {
          if (data.length > 0) yield data.length === 1 ? (data[0] as string) : data.join('\n');
          data = [];
        } else if (line.startsWith('data:')) {
          data.push(line.charCodeAt(5) === 32 ? line.slice(6) : line.slice(5));
        }
        newline = pending.indexOf('\n');
      }
    }
  } catch (err) {
    throw bodyCutShort(response, signal, err instanceof Error ? err : undefined);
  }
  if (!response.complete) throw bodyCutShort(response, signal);
  // The last event may end with the body instead of a blank line.
  if (pending.startsWith('data:')) data.push(pending.charCodeAt(5) === 32 ? pending.slice(6) : pending.slice(5));
  if (data.length > 0) yield data.join('\n');
}
