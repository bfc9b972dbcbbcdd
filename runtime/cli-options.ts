import { homedir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { UsageError } from './daemon-entry.ts';

export { UsageError };

export const usage = `astromeshd: runs Astromesh agents (astromesh/v1 Agent YAML) and serves the /v1 HTTP + WebSocket API.

Usage:
  astromeshd --agents-dir DIR [--port N] [--host HOST] [--credentials PATH]
             [--memory postgres://…] [--memory-schema NAME] [--data-dir DIR] [--auth-token-file PATH]
             [--otlp-endpoint URL] [--shutdown-timeout SECONDS] [--shutdown-linger-seconds SECONDS]
             [--log-level LEVEL] [--stop-when-stdin-closes] [--disable-mcp-stdio]

Options:
  --agents-dir DIR          Folder of agent YAML files, reloaded when files are added, changed or removed. Required.
  --port N                  TCP port (default 8000; 0 picks a free one and logs it).
  --host HOST               Address to bind (default 127.0.0.1; use 0.0.0.0 in a container).
  --credentials PATH        File (NAME: value, or NAME=value lines) or folder with one file per credential
                            (OPENAI_API_KEY, ANTHROPIC_API_KEY, OLLAMA_BASE_URL, SEARCH_API_KEY…), watched and
                            reloaded. Names it lacks are read from the environment.
  --memory URL              PostgreSQL URL for conversation memory (default: in-process, lost on restart).
                            ASTROMESH_MEMORY_URL works too and keeps the password out of the process list.
  --memory-schema NAME      Schema for the memory tables (default public); give each org its own.
  --data-dir DIR            Where the runtime keeps files: the sqlite conversation memory's database
                            (conversations.sqlite, or an agent's memory.conversational.path, inside DIR)
                            and the embedded vector store (rag/vectors.sqlite).
                            Default: ASTROMESH_DATA_DIR, else $XDG_STATE_HOME/astromeshd, else
                            ~/.local/state/astromeshd. Created (0700) at start; astromeshd exits 1 if it
                            cannot write there.
  --auth-token-file PATH    File holding the bearer token every /v1 call but /v1/health must present
                            (WebSocket: Authorization header or ?token=). Re-read when it changes.
  --otlp-endpoint URL       Also export traces over OTLP/HTTP, e.g. http://collector:4318/v1/traces.
  --shutdown-timeout SECONDS  On SIGTERM/SIGINT, how long runs in flight may finish (default 30).
  --shutdown-linger-seconds SECONDS
                            On SIGTERM/SIGINT, how long idle keep-alive connections stay open (default 5, the
                            Keep-Alive timeout astromeshd advertises; never past --shutdown-timeout), so a run a
                            client sends on one just then is served, not cut; every answer while shutting down
                            says Connection: close. 0 closes them at once.
  --log-level LEVEL         fatal, error, warn, info (default), debug, trace or silent. Logs are JSON lines.
  --stop-when-stdin-closes  Shut down gracefully when standard input closes: a supervisor that keeps a pipe
                            open takes its runtimes down with it, even if it is killed.
  --disable-mcp-stdio       Refuse agents whose tools of type mcp start a server program (transport stdio);
                            Streamable HTTP servers still work. The Cloud's runtimes run with it: a shared
                            platform runs no org's programs.
  -h, --help                Show this help.
`;

export interface Options {
  agentsDir: string;
  port: number;
  host: string;
  credentials: string | undefined;
  memory: string | undefined;
  memorySchema: string | undefined;
  /** Unset: defaultDataDir(env). */
  dataDir?: string;
  authTokenFile: string | undefined;
  otlpEndpoint: string | undefined;
  shutdownTimeoutSeconds: number;
  /** On SIGTERM/SIGINT, how long idle keep-alive connections may stay open (within the timeout); 0: closed at once. */
  shutdownLingerSeconds: number;
  logLevel: string;
  stopWhenStdinCloses?: boolean;
  /** Agents with a stdio MCP server are refused (the Cloud's runtimes). */
  disableMcpStdio?: boolean;
}

export function parseOptions(argv: string[], env: NodeJS.ProcessEnv = {}): Options | 'help' {
  const { values } = parseArgs({
    args: argv,
    options: {
      'agents-dir': { type: 'string' },
      port: { type: 'string', default: '8000' },
      host: { type: 'string', default: '127.0.0.1' },
      credentials: { type: 'string' },
      memory: { type: 'string' },
      'memory-schema': { type: 'string' },
      'data-dir': { type: 'string' },
      'auth-token-file': { type: 'string' },
      'otlp-endpoint': { type: 'string' },
      'shutdown-timeout': { type: 'string', default: '30' },
      // node:http's keepAliveTimeout: the Keep-Alive: timeout=5 every answer advertises.
      'shutdown-linger-seconds': { type: 'string', default: '5' },
      'log-level': { type: 'string', default: 'info' },
      'stop-when-stdin-closes': { type: 'boolean', default: false },
      'disable-mcp-stdio': { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) return 'help';
  if (!values['agents-dir']) throw new UsageError('--agents-dir is required');
  // Digits only: Number() reads '' (an unset `--port=$PORT`) as 0, and also takes ' 80', '1e3', '0x50'.
  const port = /^\d+$/.test(values.port) ? Number(values.port) : Number.NaN;
  if (!Number.isInteger(port) || port < 0 || port > 65_535)
    throw new UsageError(`--port: '${values.port}' is not a port number`);
  const shutdownTimeoutSeconds = secondsOf('--shutdown-timeout', values['shutdown-timeout']);
  const shutdownLingerSeconds = secondsOf('--shutdown-linger-seconds', values['shutdown-linger-seconds']);
  const logLevels = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];
  if (!logLevels.includes(values['log-level']))
    throw new UsageError(`--log-level: must be one of ${logLevels.join(', ')}`);
  const memory = values.memory ?? env.ASTROMESH_MEMORY_URL;
  if (memory && !/^postgres(ql)?:\/\//.test(memory)) {
    throw new UsageError(`${values.memory ? '--memory' : 'ASTROMESH_MEMORY_URL'}: must be a postgres:// URL`);
  }
  return {
    agentsDir: values['agents-dir'],
    port,
    host: values.host,
    credentials: values.credentials,
    memory,
    memorySchema: values['memory-schema'],
    dataDir: values['data-dir'] || defaultDataDir(env),
    authTokenFile: values['auth-token-file'],
    otlpEndpoint: values['otlp-endpoint'],
    shutdownTimeoutSeconds,
    shutdownLingerSeconds,
    logLevel: values['log-level'],
    stopWhenStdinCloses: values['stop-when-stdin-closes'],
    disableMcpStdio: values['disable-mcp-stdio'],
  };
}

/** A flag's non-negative number of seconds; digits and an optional fraction only, as for --port. */
function secondsOf(flag: string, value: string): number {
  const seconds = /^\d+(\.\d+)?$/.test(value) ? Number(value) : Number.NaN;
  if (!Number.isFinite(seconds)) throw new UsageError(`${flag}: '${value}' is not a number of seconds`);
  return seconds;
}

/** The data directory when --data-dir is not given: ASTROMESH_DATA_DIR, else the XDG state directory. */
export function defaultDataDir(env: NodeJS.ProcessEnv): string {
  if (env.ASTROMESH_DATA_DIR) return env.ASTROMESH_DATA_DIR;
  return join(env.XDG_STATE_HOME || join(homedir(), '.local', 'state'), 'astromeshd');
}
