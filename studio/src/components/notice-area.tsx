/** What the last action of a page came to: an error to act on, or what was done. */
export type Notice = { kind: 'error' | 'done'; text: string };

/**
 * The page's notices: an error in a role="alert" (read out at once), a success in a role="status"
 * that is always present, so a screen reader announces the text when it appears.
 */
export function NoticeArea(props: { notice: Notice | undefined }) {
  const { notice } = props;
  return (
    <div class="notices">
      {notice?.kind === 'error' && (
        <p class="error" role="alert">
          {notice.text}
        </p>
      )}
      <p class="done" role="status">
        {notice?.kind === 'done' ? notice.text : ''}
      </p>
    </div>
  );
}
