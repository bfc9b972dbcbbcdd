import type { MemorySpec } from '../config/agent-schema.ts';
import type { CredentialsLookup } from '../config/credentials-lookup.ts';
import { AgentConfigError } from '../config/load-agent-file.ts';
import { type ConversationStores, PathOutsideDataDir } from './create-conversation-stores.ts';
import { createForgetfulConversationStore } from './create-forgetful-conversation-store.ts';
import type { ConversationStore } from './memory-types.ts';

const field = (...path: string[]) => ['spec', 'memory', 'conversational', ...path];

/**
 * The store an agent's `memory.conversational.backend` names. What cannot work is refused when
 * the agent loads, naming the field: a sqlite path outside the data directory or a file that
 * cannot be opened, a REDIS_URL credential that is not a redis URL. A redis backend with no URL at
 * all runs without memory, as upstream's does, and so does postgres when the runtime has no
 * database (--memory unset). No backend named: PostgreSQL when the runtime has
 * one (replicas share it), else in-process.
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
      // No database (--memory unset): upstream runs the agent without conversational memory, so
      // do we; the agent checks say so in its warnings.
      return stores.postgres ?? createForgetfulConversationStore();
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
      // Neither: upstream runs the agent without conversational memory (its factory reads
      // connection.url, and the engine turns the missing key into a warning), so do we. The
      // loader warns about it (memoryWarnings); no default server is guessed.
      if (!url) return createForgetfulConversationStore();
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
