import { isAbsolute, relative, resolve, sep } from 'node:path';
import type { Logger } from 'pino';
import { createSqliteConversationStore } from './create-sqlite-conversation-store.ts';
import type { ConversationStore } from './memory-types.ts';
import { openStoreOnFirstUse } from './open-store-on-first-use.ts';

/** The conversation stores of one runtime, by backend; agents naming the same file or server share one. */
export interface ConversationStores {
  memory: ConversationStore;
  /** Exists only when the runtime was given --memory. */
  postgres: ConversationStore | undefined;
  /** The data directory's SQLite file at `path` (default `conversations.sqlite`), opened on first use. */
  sqlite(path: string | undefined): ConversationStore;
  /** The store on the Redis server at `url`; it connects on first use. */
  redis(url: string): ConversationStore;
  close(): Promise<void>;
}

export const defaultSqliteFile = 'conversations.sqlite';

/** A sqlite `path` that would leave the data directory. */
export class PathOutsideDataDir extends Error {
  override name = 'PathOutsideDataDir';
}

export function createConversationStores(deps: {
  memory: ConversationStore;
  postgres: ConversationStore | undefined;
  /** Where sqlite files live; `path` in an agent file is relative to it and may not leave it. */
  dataDir: string;
  log: Logger;
}): ConversationStores {
  const dataDir = resolve(deps.dataDir);
  const sqliteStores = new Map<string, ConversationStore>();
  const redisStores = new Map<string, ConversationStore>();

  return {
    memory: deps.memory,
    postgres: deps.postgres,
    sqlite(path = defaultSqliteFile) {
      const file = sqliteFileIn(dataDir, path);
      let store = sqliteStores.get(file);
      if (!store) {
        store = createSqliteConversationStore({ file });
        sqliteStores.set(file, store);
      }
      return store;
    },
    redis(url) {
      let store = redisStores.get(url);
      if (!store) {
        store = openStoreOnFirstUse(async () => {
          const { createRedisConversationStore } = await import('./create-redis-conversation-store.ts');
          return createRedisConversationStore({ url, log: deps.log });
        });
        redisStores.set(url, store);
      }
      return store;
    },
    async close() {
      await Promise.allSettled(
        [deps.memory, deps.postgres, ...sqliteStores.values(), ...redisStores.values()].map((store) => store?.close()),
      );
    },
  };
}

/** The absolute file `path` names inside `dataDir`; throws PathOutsideDataDir when it would leave it. */
export function sqliteFileIn(dataDir: string, path: string): string {
  const file = resolve(dataDir, path);
  const inside = relative(dataDir, file);
  if (isAbsolute(path) || inside === '' || inside === '..' || inside.startsWith(`..${sep}`) || isAbsolute(inside)) {
    throw new PathOutsideDataDir(`must be a file inside the runtime's data directory, got ${JSON.stringify(path)}`);
  }
  return file;
}
