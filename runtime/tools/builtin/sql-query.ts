import { isAbsolute } from 'node:path';
import { z } from 'zod';
import { defaultTimeoutSeconds } from '../network-config.ts';
import { parseToolConfig } from '../parse-tool-config.ts';
import { queryPostgres } from '../sql/query-postgres.ts';
import { querySqlite } from '../sql/query-sqlite.ts';
import { type Tool, ToolError } from '../tool-types.ts';

const SqlQueryInput = z.object({
  query: z
    .string()
    .min(1)
    .max(100_000)
    .describe('One SQL statement. Use $1, $2… (PostgreSQL) or ? (SQLite) for values.'),
  params: z
    .array(z.union([z.string(), z.number(), z.boolean(), z.null()]))
    .max(100)
    .default([])
    .describe('Values for the placeholders, in order.'),
});
type SqlQueryInput = z.infer<typeof SqlQueryInput>;

export const SqlQueryConfig = z.object({
  connection_string: z
    .string()
    .max(4096)
    .optional()
    .describe(
      'postgres://… or postgresql://… for PostgreSQL; sqlite:///relative.db or sqlite:////absolute.db for SQLite.',
    ),
  connection_string_env: z
    .string()
    .regex(/^[A-Za-z_][A-Za-z0-9_]*$/)
    .optional()
    .describe('Credential holding the connection string, so a password need not live in the agent YAML.'),
  read_only: z.boolean().default(true),
  max_rows: z.int().positive().max(10_000).default(100),
  timeout_seconds: z.number().positive().max(600).default(defaultTimeoutSeconds),
});

export const sqlQuery: Tool<SqlQueryInput> = {
  name: 'sql_query',
  description:
    "Run one SQL statement against this agent's configured database (PostgreSQL or SQLite) and get back the " +
    'columns and rows. Usually read-only: use SELECT to look data up. Pass user-provided values as params, ' +
    'never by pasting them into the query. Results are limited to a maximum number of rows.',
  inputSchema: SqlQueryInput,
  configSchema: SqlQueryConfig,
  async run(input, context) {
    const config = parseToolConfig(SqlQueryConfig, context.config, 'sql_query');
    const connectionString =
      config.connection_string ?? (config.connection_string_env && context.credentials(config.connection_string_env));
    if (!connectionString) {
      throw new ToolError('not_configured', 'sql_query is not configured: set connection_string in the tool config');
    }
    const request = {
      query: input.query,
      params: input.params,
      readOnly: config.read_only,
      maxRows: config.max_rows,
      timeoutMs: config.timeout_seconds * 1000,
      signal: context.signal,
    };
    if (/^postgres(ql)?:\/\//i.test(connectionString)) return queryPostgres(connectionString, request);
    const sqlitePath = sqlitePathOf(connectionString);
    if (sqlitePath) return querySqlite(sqlitePath, request);
    throw new ToolError(
      'not_configured',
      'sql_query supports postgres://… and sqlite:///path connection strings (or an absolute SQLite file path)',
    );
  },
};

/** SQLAlchemy's convention, as upstream uses it: sqlite:///relative/path, sqlite:////absolute/path. */
function sqlitePathOf(connectionString: string): string | undefined {
  if (connectionString.startsWith('sqlite:///')) return connectionString.slice('sqlite:///'.length);
  if (isAbsolute(connectionString)) return connectionString;
  return undefined;
}
