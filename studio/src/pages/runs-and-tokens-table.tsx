import type { ComponentChildren } from 'preact';
import { formatCount } from './describe-rate-limit.ts';

export interface RunsAndTokensRow {
  key: string;
  /** The row's header cell: a day, an agent's name. */
  label: ComponentChildren;
  requests: number;
  tokens: number;
}

/**
 * The usage page's tables of runs and tokens (per day, per agent): one header cell a row, the two
 * counts right-aligned. Named by a caption or by a heading elsewhere on the page (`labelledBy`).
 */
export function RunsAndTokensTable(props: {
  rows: RunsAndTokensRow[];
  firstColumn: string;
  class: string;
  caption?: string;
  labelledBy?: string;
}) {
  return (
    <table class={props.class} aria-labelledby={props.labelledBy}>
      {props.caption && <caption class="visually-hidden">{props.caption}</caption>}
      <thead>
        <tr>
          <th scope="col">{props.firstColumn}</th>
          <th scope="col" class="num">
            Runs
          </th>
          <th scope="col" class="num">
            Tokens
          </th>
        </tr>
      </thead>
      <tbody>
        {props.rows.map((row) => (
          <tr key={row.key}>
            <th scope="row">{row.label}</th>
            <td class="num">{formatCount(row.requests)}</td>
            <td class="num">{formatCount(row.tokens)}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
