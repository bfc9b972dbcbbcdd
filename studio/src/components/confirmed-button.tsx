import type { ComponentChildren } from 'preact';
import { useState } from 'preact/hooks';
import { ConfirmDialog } from './confirm-dialog.tsx';

/**
 * A danger button whose action waits for a yes: it asks with a ConfirmDialog (the title, what
 * follows as children, the confirm label) and acts only once confirmed. The question lives with
 * its button, so a list needs no state of its own for which row is being asked about; the dialog
 * is modal (top layer), so where the button sits does not place it.
 */
export function ConfirmedButton(props: {
  /** What the button shows, e.g. "Delete". */
  label: string;
  /** Its accessible name, which says of what, e.g. "Delete the server crm"; it starts with `label`. */
  accessibleName: string;
  isDisabled?: boolean;
  title: string;
  confirmLabel: string;
  onConfirm: () => void;
  children: ComponentChildren;
}) {
  const [isAsking, setAsking] = useState(false);
  return (
    <>
      <button
        type="button"
        class="danger"
        aria-label={props.accessibleName}
        disabled={props.isDisabled}
        onClick={() => setAsking(true)}
      >
        {props.label}
      </button>
      {isAsking && (
        <ConfirmDialog
          title={props.title}
          confirmLabel={props.confirmLabel}
          onCancel={() => setAsking(false)}
          onConfirm={() => {
            setAsking(false);
            props.onConfirm();
          }}
        >
          {props.children}
        </ConfirmDialog>
      )}
    </>
  );
}
