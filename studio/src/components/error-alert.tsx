/**
 * An error a person should hear at once: a role="alert" paragraph, or nothing when there is no
 * error (an empty alert would be announced as nothing, and take space).
 */
export function ErrorAlert(props: { text: string | undefined }) {
  if (!props.text) return null;
  return (
    <p class="error" role="alert">
      {props.text}
    </p>
  );
}
