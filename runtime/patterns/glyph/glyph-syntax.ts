// The tree a Glyph program parses into. Every node keeps the line and column it starts at, so
// the validator's errors can point at the place the model has to fix.

export interface Position {
  line: number;
  column: number;
}

export type Expression =
  | ({ kind: 'literal'; value: string | number | boolean | null } & Position)
  | ({ kind: 'name'; name: string } & Position)
  | ({ kind: 'field'; target: Expression; field: string } & Position)
  | ({ kind: 'list'; items: Expression[] } & Position)
  | ({ kind: 'record'; entries: { key: string; value: Expression }[] } & Position)
  | ({ kind: 'call'; tool: string; args: { name: string; value: Expression; at: Position }[] } & Position)
  | ({ kind: 'compare'; operator: CompareOperator; left: Expression; right: Expression } & Position)
  | ({ kind: 'logic'; operator: 'and' | 'or'; left: Expression; right: Expression } & Position)
  | ({ kind: 'not'; operand: Expression } & Position)
  | ({ kind: 'pipe'; source: Expression; stages: Stage[] } & Position);

export type CompareOperator = '==' | '!=' | '<' | '<=' | '>' | '>=';

/** One `| where(…)` / `| top(…)` / `| map(…)`: its arguments are evaluated once per element. */
export interface Stage extends Position {
  name: string;
  positional: Expression[];
  named: { name: string; value: Expression }[];
}

export type Statement =
  | ({ kind: 'assign'; target: string; value: Expression } & Position)
  | ({ kind: 'return'; value: Expression } & Position)
  | ({ kind: 'expression'; value: Expression } & Position)
  | ({ kind: 'if'; test: Expression; then: Statement[]; otherwise: Statement[] } & Position);

export interface Program {
  statements: Statement[];
}
