import { useState } from 'preact/hooks';

/**
 * Copies `text` to the clipboard and says so in a status beside it. The clipboard API needs a
 * secure context or the permission; when the browser refuses, the person is told to select the
 * text and copy it themselves, which always works.
 */
export function CopyButton(props: { text: string; label: string }) {
  const [state, setState] = useState<'idle' | 'copied' | 'refused'>('idle');
  async function copy() {
    try {
      await navigator.clipboard.writeText(props.text);
      setState('copied');
    } catch {
      setState('refused');
    }
  }
  return (
    <span class="copy">
      <button type="button" aria-label={props.label} onClick={() => void copy()}>
        Copy
      </button>
      <span role="status" class="hint">
        {state === 'copied'
          ? 'Copied.'
          : state === 'refused'
            ? 'The browser refused the clipboard: select and copy the text.'
            : ''}
      </span>
    </span>
  );
}
