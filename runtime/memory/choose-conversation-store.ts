import type { MemorySpec } from '../config/agent-schema.ts';
import type { CredentialsLookup } from '../config/credentials-lookup.ts';
import { AgentConfigError } from '../config/load-agent-file.ts';
import { type ConversationStores, PathOutsideDataDir } from './create-conversation-stores.ts';
import type { ConversationStore } from './memory-types.ts';

const field = (...path: string[]) => ['spec', 'memory', 'conversational', ...path];

/**
 * The store an agent's `memory.conversational.backend` names. What cannot work is refused when
 * the agent loads, naming the field: a sqlite path outside the data directory or a file that
 * cannot be opened, a redis backend with no URL. No backend named: PostgreSQL when the runtime
 * has one (replicas share it), else in-process.
 */
export function chooseConversationStore(
  config: NonNullable<MemorySpec['conversational']>,
  deps: { stores: ConversationStores; credentials: CredentialsLookup },
): ConversationStore {
  const { stores } = deps;
  const backend = config.backend ?? (stores.postgres ? 'postgres' : 'memory');
  switch (backend) {
    case 'memory':
    case 'in_memory':
      return stores.memory;
    case 'postgres':
      if (!stores.postgres) throw new Error('unreachable: agent checks refuse postgres memory without --memory');
      return stores.postgres;
    case 'sqlite':
      try {
        return stores.sqlite(config.path);
      } catch (err) {
        const message =
          err instanceof PathOutsideDataDir ? err.message : `cannot open the SQLite file: ${(err as Error).message}`;
        throw new AgentConfigError([{ path: field(config.path === undefined ? 'backend' : 'path'), message }]);
      }
    case 'redis': {
      // Upstream's key (connection.url) first; the REDIS_URL credential keeps a password out of agent files.
      const url = config.connection?.url ?? deps.credentials('REDIS_URL');
      if (!url) {
        throw new AgentConfigError([
          {
            path: field('connection', 'url'),
            message: 'redis memory needs connection.url or the REDIS_URL credential',
          },
        ]);
      }
      if (!/^rediss?:\/\//.test(url)) {
        // Only a credential can get here (the schema checks connection.url); never echo its value.
        throw new AgentConfigError([
          { path: field('connection', 'url'), message: 'the REDIS_URL credential must be a redis:// or rediss:// URL' },
        ]);
      }
      return stores.redis(url);
    }
  }
}
