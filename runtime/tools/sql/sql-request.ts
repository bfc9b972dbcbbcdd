/** One sql_query call, as both database back ends take it. */
export interface SqlRequest {
  query: string;
  params: SqlParam[];
  readOnly: boolean;
  maxRows: number;
  timeoutMs: number;
  signal: AbortSignal;
}

export type SqlParam = string | number | boolean | null;

/** Rows for a statement that returns them; a count of changed rows for one that does not. */
export type SqlResult =
  | { columns: string[]; rows: Record<string, unknown>[]; row_count: number; truncated: boolean }
  | { command: string; affected_rows: number };
