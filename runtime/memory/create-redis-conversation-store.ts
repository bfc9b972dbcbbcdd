import type { Logger } from 'pino';
import { createClient } from 'redis';
import type { ConversationStore, SessionSummary, StoredTurn, Turn } from './memory-types.ts';
import { MemoryUnavailable } from './memory-unavailable.ts';
import { redactedUrl } from './redacted-url.ts';

export interface RedisConversationStoreOptions {
  /** redis:// or rediss:// URL; its password never reaches a log or an error message. */
  url: string;
  log: Logger;
  /** Prefix of every key; the default keeps astromeshd's keys apart from other users of the server. */
  keyPrefix?: string;
  clock?: () => Date;
  /** How long a run waits to connect, and on one command; defaults: `defaultRedisTimeouts`. */
  timeouts?: { connectMs: number; commandMs: number };
}

// A Redis that is down or paused must fail the run that needs it within a bound, not hold it.
export const defaultRedisTimeouts = { connectMs: 5_000, commandMs: 15_000 };

// One Lua script per change, so each is atomic on the server: a concurrent append cannot slip
// between "is the session expired?" and "add the turns". Expiry is decided by the runtime's clock
// (`expires_at`, in ms, in the meta hash) so every strategy sees exactly the ttl; Redis's own
// expiry (PEXPIRE, the same ttl) is what frees the memory.
const appendScript = `
local expires = redis.call('HGET', KEYS[2], 'expires_at')
if expires and tonumber(expires) <= tonumber(ARGV[1]) then redis.call('DEL', KEYS[1], KEYS[2]) end
for i = 4, #ARGV do redis.call('RPUSH', KEYS[1], ARGV[i]) end
redis.call('HSET', KEYS[2], 'last_activity_at', ARGV[1])
if ARGV[2] == '' then
  redis.call('HDEL', KEYS[2], 'expires_at')
  redis.call('PERSIST', KEYS[1])
  redis.call('PERSIST', KEYS[2])
else
  redis.call('HSET', KEYS[2], 'expires_at', ARGV[2])
  redis.call('PEXPIRE', KEYS[1], ARGV[3])
  redis.call('PEXPIRE', KEYS[2], ARGV[3])
end
return 1`;

const clearScript = `
local expires = redis.call('HGET', KEYS[2], 'expires_at')
local existed = redis.call('EXISTS', KEYS[2]) == 1 and not (expires and tonumber(expires) <= tonumber(ARGV[1]))
redis.call('DEL', KEYS[1], KEYS[2])
if existed then return 1 else return 0 end`;

/**
 * Conversations in Redis: they survive restarts of the runtime and are shared by replicas, and
 * Redis frees an expired session itself. Per session, a list of turns (JSON) and a hash of
 * metadata (summary, expiry), under `{prefix}turns:{agent}:{session}` and `{prefix}meta:…`:
 * agent ids cannot contain ':', so no two sessions share a key.
 */
export function createRedisConversationStore(options: RedisConversationStoreOptions): ConversationStore {
  const where = redactedUrl(options.url);
  const log = options.log.child({ component: 'redis-conversation-store', redis: where });
  const clock = options.clock ?? (() => new Date());
  const timeouts = options.timeouts ?? defaultRedisTimeouts;
  const prefix = options.keyPrefix ?? 'astromesh:conversation:';
  const client = createClient({
    url: options.url,
    // Commands fail at once while disconnected, instead of queueing until the run's deadline.
    disableOfflineQueue: true,
    socket: {
      connectTimeout: timeouts.connectMs,
      reconnectStrategy: (retries) => Math.min(100 * 2 ** retries, 5_000),
    },
  });
  const commands = client.withCommandOptions({ timeout: timeouts.commandMs });
  let lastError: Error | undefined;
  let isDown = false;
  // Without a listener, a dropped connection would crash the daemon. Logged when the state
  // changes, not on every reconnect attempt; the message comes from the socket, never the URL.
  client.on('error', (err: Error) => {
    lastError = err;
    if (!isDown) log.warn({ error: err.message }, 'redis conversation memory unreachable; reconnecting');
    isDown = true;
  });
  client.on('ready', () => {
    if (isDown) log.info({}, 'redis conversation memory reachable again');
    isDown = false;
  });
  let isClosed = false;
  // Runs arriving while Redis is away share one wait, rather than one 'ready' listener each.
  let waiting: Promise<void> | undefined;
  function untilReadyOrTimeout(): Promise<void> {
    waiting ??= new Promise<void>((resolve) => {
      const timer = setTimeout(done, timeouts.connectMs);
      client.once('ready', done);
      function done() {
        clearTimeout(timer);
        client.off('ready', done);
        waiting = undefined;
        resolve();
      }
    });
    return waiting;
  }

  /** Connects on first use; a server that is not there fails the run with a 503 that says why. */
  async function ready(): Promise<typeof commands> {
    if (isClosed) throw new MemoryUnavailable('redis', 'the store is closed');
    if (client.isReady) return commands;
    if (!client.isOpen) client.connect().catch((err: Error) => (lastError = err));
    await untilReadyOrTimeout();
    if (client.isReady) return commands;
    throw new MemoryUnavailable(
      'redis',
      `cannot reach ${where}${lastError ? `: ${redactedMessage(lastError.message, options.url)}` : ''}`,
    );
  }

  async function run<T>(work: (redis: typeof commands) => Promise<T>): Promise<T> {
    const redis = await ready();
    try {
      return await work(redis);
    } catch (err) {
      if (err instanceof MemoryUnavailable) throw err;
      const message = redactedMessage((err as Error).message, options.url);
      throw new MemoryUnavailable('redis', `${where}: ${message}`, { cause: err });
    }
  }

  const keysOf = (agent: string, session: string) => ({
    turns: `${prefix}turns:${agent}:${session}`,
    meta: `${prefix}meta:${agent}:${session}`,
  });
  const isLive = (expiresAt: string | null | undefined, now: number) =>
    expiresAt === null || expiresAt === undefined || Number(expiresAt) > now;

  return {
    async history(agent, session, historyOptions = {}) {
      const { limit } = historyOptions;
      if (limit !== undefined && limit <= 0) return [];
      const keys = keysOf(agent, session);
      const [expiresAt, rows] = await run((redis) =>
        Promise.all([
          redis.hGet(keys.meta, 'expires_at'),
          redis.lRange(keys.turns, limit === undefined ? 0 : -limit, -1),
        ]),
      );
      if (!isLive(expiresAt, clock().getTime())) return [];
      return rows.map((row) => {
        const turn = JSON.parse(row) as { role: StoredTurn['role']; content: string; at: number };
        return { role: turn.role, content: turn.content, createdAt: new Date(turn.at) };
      });
    },

    async append(agent, session, turns: Turn[], appendOptions = {}) {
      if (turns.length === 0) return;
      const now = clock().getTime();
      const { ttlSeconds } = appendOptions;
      const keys = keysOf(agent, session);
      await run((redis) =>
        redis.eval(appendScript, {
          keys: [keys.turns, keys.meta],
          arguments: [
            String(now),
            ttlSeconds === undefined ? '' : String(now + ttlSeconds * 1000),
            ttlSeconds === undefined ? '' : String(ttlSeconds * 1000),
            ...turns.map((turn) => JSON.stringify({ role: turn.role, content: turn.content, at: now })),
          ],
        }),
      );
    },

    async summary(agent, session) {
      const keys = keysOf(agent, session);
      const [expiresAt, text, covered] = await run((redis) =>
        redis.hmGet(keys.meta, ['expires_at', 'summary_text', 'summary_covered_turns']),
      );
      if (text === null || text === undefined || !isLive(expiresAt, clock().getTime())) return undefined;
      return { text, coveredTurns: Number(covered) } satisfies SessionSummary;
    },

    async saveSummary(agent, session, summary) {
      const keys = keysOf(agent, session);
      await run((redis) =>
        redis.hSet(keys.meta, { summary_text: summary.text, summary_covered_turns: String(summary.coveredTurns) }),
      );
    },

    async clear(agent, session) {
      const keys = keysOf(agent, session);
      const cleared = await run((redis) =>
        redis.eval(clearScript, { keys: [keys.turns, keys.meta], arguments: [String(clock().getTime())] }),
      );
      return cleared === 1;
    },

    async close() {
      if (isClosed) return;
      isClosed = true;
      // destroy, not close: a server that is down would keep close() waiting on replies.
      if (client.isOpen) client.destroy();
    },
  };
}

/** A driver's error message may quote the URL it was given, or its password; never echo either. */
function redactedMessage(message: string, url: string): string {
  const redacted = message.replaceAll(url, redactedUrl(url));
  const password = URL.canParse(url) ? decodeURIComponent(new URL(url).password) : '';
  return password === '' ? redacted : redacted.replaceAll(password, '***');
}
