import type { ControlId } from './wizard-steps.ts';

/**
 * A control's accessibility attributes: invalid while the API refuses its value, and described by
 * that error (or its hint). Spread onto the input, select or textarea.
 */
export function controlAttributes(id: ControlId, error: string | undefined, hintId?: string) {
  const describedBy = [error ? `${id}-error` : undefined, hintId].filter(Boolean).join(' ');
  return {
    id,
    'aria-invalid': error ? ('true' as const) : undefined,
    'aria-describedby': describedBy === '' ? undefined : describedBy,
  };
}

/** The API's error for a control, shown right under it. */
export function FieldError(props: { id: ControlId; error: string | undefined }) {
  if (!props.error) return null;
  return (
    <p id={`${props.id}-error`} class="field-error">
      {props.error}
    </p>
  );
}
