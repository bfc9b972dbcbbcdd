import type { IncomingHttpHeaders } from 'node:http';
import type { ProviderName } from '../../runtime/config/agent-schema.ts';
import type { FakeReply } from './fake-reply.ts';

/** One request as the fake received it. The two flags change while the response is under way. */
export interface RecordedRequest {
  /** 1 for the fake's first request, 2 for the next… */
  readonly number: number;
  readonly method: string;
  /** Path without the query string, e.g. `/v1/chat/completions`. */
  readonly path: string;
  /** Lower-cased header names, as node:http gives them. */
  readonly headers: IncomingHttpHeaders;
  /** The parsed JSON body. */
  readonly body: Record<string, unknown>;
  readonly isStream: boolean;
  /** The client went away (aborted, timed out) before the fake finished its response. */
  readonly wasAbortedByClient: boolean;
  /** The fake wrote its whole response. */
  readonly isComplete: boolean;
}

export interface FakeProviderOptions {
  /** The answer when the queue is empty. Default: `fakeReply.text('Hello from the fake provider.')`. */
  defaultReply?: FakeReply;
  /** When set, a request without this key (where the provider expects it) gets the provider's 401. */
  apiKey?: string;
  /** `requests` keeps the newest this many (default 1000), so a benchmark's memory stays flat. */
  maxRecordedRequests?: number;
}

export interface FakeProvider {
  readonly provider: ProviderName;
  /** `http://127.0.0.1:<port>`. */
  readonly url: string;
  /** What an agent's `endpoint:` (or `<PROVIDER>_BASE_URL`) should say to reach this fake. */
  readonly baseUrl: string;
  /** Replies for the next requests, in order; each request takes one. */
  enqueue(...replies: FakeReply[]): void;
  setDefaultReply(reply: FakeReply): void;
  /** Recorded requests, oldest first (up to `maxRecordedRequests`). */
  readonly requests: readonly RecordedRequest[];
  /** The newest request; throws when there is none, so a test fails with a clear message. */
  readonly lastRequest: RecordedRequest;
  /** Every request received, including those no longer kept in `requests`. */
  readonly requestCount: number;
  /** Stops the server and drops every open connection, hanging ones included. */
  close(): Promise<void>;
}
