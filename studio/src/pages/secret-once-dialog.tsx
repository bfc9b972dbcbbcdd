import type { ComponentChildren } from 'preact';
import { useEffect, useRef, useState } from 'preact/hooks';

/**
 * A new secret, shown this once: a read-only field, a copy button (the clipboard API, else the
 * text selected for Ctrl+C), and the warning that it cannot be seen again. The secret lives in the
 * caller's state only while this dialog is open: `onClose` must drop it. Worded for an API key
 * unless `title`, `secretLabel` and `warning` say otherwise (a webhook's signing secret);
 * `children` come before the secret (the webhook's URL).
 */
export function SecretOnceDialog(props: {
  keyName: string;
  secret: string;
  onClose: () => void;
  title?: string;
  secretLabel?: string;
  warning?: string;
  children?: ComponentChildren;
}) {
  const dialog = useRef<HTMLDialogElement>(null);
  const field = useRef<HTMLInputElement>(null);
  const [copyState, setCopyState] = useState<'idle' | 'copied' | 'selected'>('idle');

  useEffect(() => {
    const element = dialog.current;
    if (element && !element.open) element.showModal();
    return () => element?.close();
  }, []);

  async function copy() {
    try {
      // Refused without a secure context or the clipboard permission; then the text is selected instead.
      await navigator.clipboard.writeText(props.secret);
      setCopyState('copied');
    } catch {
      field.current?.focus();
      field.current?.select();
      setCopyState('selected');
    }
  }

  return (
    <dialog
      ref={dialog}
      class="dialog secret-dialog"
      aria-labelledby="secret-title"
      aria-describedby="secret-warning"
      onCancel={props.onClose}
    >
      <h2 id="secret-title">{props.title ?? `API key “${props.keyName}” created`}</h2>
      <p id="secret-warning" class="warning">
        {props.warning ??
          'Copy the secret now: you will not see it again. Only its hash is stored; if it is lost, revoke the key and create another.'}
      </p>
      {props.children}
      <label for="new-secret">{props.secretLabel ?? 'Secret (send it as the X-API-Key header)'}</label>
      <div class="secret-row">
        <input
          ref={field}
          id="new-secret"
          type="text"
          readOnly
          value={props.secret}
          autocomplete="off"
          spellcheck={false}
          onFocus={(e) => e.currentTarget.select()}
        />
        <button type="button" class="primary" onClick={() => void copy()}>
          Copy
        </button>
      </div>
      <p role="status" class="hint">
        {copyState === 'copied'
          ? 'Copied to the clipboard.'
          : copyState === 'selected'
            ? 'The browser refused the clipboard: the secret is selected, press Ctrl+C (⌘C on a Mac) to copy it.'
            : ''}
      </p>
      <div class="dialog-actions">
        <button type="button" onClick={props.onClose}>
          I have stored it — close
        </button>
      </div>
    </dialog>
  );
}
