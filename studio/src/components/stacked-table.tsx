import type { ComponentChildren } from 'preact';

/**
 * A list as a table, which a phone shows as one card per row (each cell's data-label is shown
 * beside its value, org-pages.css). The caption is for screen readers; with `hasActions`, a last
 * column without a visible heading holds each row's buttons. The rows are the children.
 */
export function StackedTable(props: {
  caption: string;
  columns: string[];
  hasActions: boolean;
  /** Classes besides org-table stacked. */
  class?: string;
  children: ComponentChildren;
}) {
  return (
    <table class={['org-table', 'stacked', props.class].filter(Boolean).join(' ')}>
      <caption class="visually-hidden">{props.caption}</caption>
      <thead>
        <tr>
          {props.columns.map((column) => (
            <th key={column} scope="col">
              {column}
            </th>
          ))}
          {props.hasActions && (
            <th scope="col">
              <span class="visually-hidden">Actions</span>
            </th>
          )}
        </tr>
      </thead>
      <tbody>{props.children}</tbody>
    </table>
  );
}
