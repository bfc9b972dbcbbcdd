import { useState } from 'preact/hooks';

/**
 * The field of a form the API's 400 named, and its words: that control is marked invalid and
 * described by the words, shown right under it (`error(field)`), so a screen reader reads why.
 * `idPrefix` keeps the error ids of two forms on one page apart.
 */
export function useWrongField<Field extends string>(idPrefix: string) {
  const [wrong, setWrong] = useState<{ field: Field; text: string } | undefined>();
  const errorId = (field: Field) => `${idPrefix}-${field}-error`;
  return {
    /** Marks `field` wrong with `text`; undefined clears the mark (before the next try). */
    setWrong: (field: Field | undefined, text = '') => setWrong(field ? { field, text } : undefined),
    /** Spread onto the field's input; `hintId` names its hint, which describes it too. */
    attributes: (field: Field, hintId?: string) => {
      const describedBy = [wrong?.field === field ? errorId(field) : undefined, hintId].filter(Boolean).join(' ');
      return {
        'aria-invalid': wrong?.field === field || undefined,
        'aria-describedby': describedBy === '' ? undefined : describedBy,
      };
    },
    error: (field: Field) =>
      wrong?.field === field ? (
        <p id={errorId(field)} class="field-error">
          {wrong.text}
        </p>
      ) : null,
  };
}
