import type { ComponentChildren } from 'preact';
import { formatCount } from './describe-rate-limit.ts';
import { describeCost } from './format-usd.ts';

export interface RunsAndTokensRow {
  key: string;
  /** The row's header cell: a day, an agent's name. */
  label: ComponentChildren;
  requests: number;
  tokens: number;
  /** USD of the priced runs, and the runs without a price; absent from an API that does not price runs. */
  cost?: { usd: number; unpricedRuns: number };
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
  const hasCost = props.rows.some((row) => row.cost !== undefined);
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
          {hasCost && (
            <th scope="col" class="num">
              Cost (USD)
            </th>
          )}
        </tr>
      </thead>
      <tbody>
        {props.rows.map((row) => (
          <tr key={row.key}>
            <th scope="row">{row.label}</th>
            <td class="num">{formatCount(row.requests)}</td>
            <td class="num">{formatCount(row.tokens)}</td>
            {hasCost && <td class="num">{row.cost ? describeCost(row.cost.usd, row.cost.unpricedRuns) : ''}</td>}
          </tr>
        ))}
      </tbody>
    </table>
  );
}
