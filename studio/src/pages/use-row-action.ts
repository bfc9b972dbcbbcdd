import { useState } from 'preact/hooks';
import type { Notice } from '../components/notice-area.tsx';
import { explainOrgError } from './explain-org-error.ts';

/**
 * An action on one row of a list (delete, pause, rotate, remove a token…). The row is busy while
 * it runs (`busyRow`, to disable its buttons); the list reloads after it either way, so the page
 * shows what the API holds now, a refusal included; then the outcome becomes the page's notice:
 * the words the action returns (none when it shows its result otherwise), or its failure
 * explained as "Could not <attempt>: …".
 */
export function useRowAction(options: { reload: () => Promise<void>; onNotice: (notice: Notice | undefined) => void }) {
  const [busyRow, setBusyRow] = useState<string | undefined>();

  async function run(row: string, attempt: string, action: () => Promise<string | undefined>) {
    setBusyRow(row);
    options.onNotice(undefined);
    let outcome: Notice | undefined;
    try {
      const done = await action();
      outcome = done === undefined ? undefined : { kind: 'done', text: done };
    } catch (err) {
      outcome = { kind: 'error', text: explainOrgError(err, attempt) };
    }
    await options.reload();
    setBusyRow(undefined);
    options.onNotice(outcome);
  }

  return { busyRow, run };
}
