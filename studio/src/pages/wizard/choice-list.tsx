import type { ComponentChildren } from 'preact';
import { FieldError } from './field-error.tsx';
import type { ControlId } from './wizard-steps.ts';

/**
 * A fieldset of checkboxes (several of a list) or radios (one of it), each with its words. The
 * fieldset's id is the control an API error points at; focusing it focuses its first box.
 */
export function ChoiceList(props: {
  id: ControlId;
  legend: string;
  kind: 'checkbox' | 'radio';
  choices: { name: string; description: string; extra?: ComponentChildren }[];
  selected: readonly string[];
  onChange: (selected: string[]) => void;
  error: string | undefined;
}) {
  const { id, error } = props;
  return (
    <fieldset
      id={id}
      class="field-group choice-list"
      aria-invalid={error ? 'true' : undefined}
      aria-describedby={error ? `${id}-error` : undefined}
    >
      <legend>{props.legend}</legend>
      <FieldError id={id} error={error} />
      {props.choices.map((choice) => {
        const inputId = `${id}-${choice.name}`;
        const isChecked = props.selected.includes(choice.name);
        return (
          <div key={choice.name} class="choice">
            <input
              type={props.kind}
              id={inputId}
              name={id}
              value={choice.name}
              checked={isChecked}
              aria-describedby={`${inputId}-words`}
              onChange={() =>
                props.onChange(
                  props.kind === 'radio'
                    ? [choice.name]
                    : isChecked
                      ? props.selected.filter((name) => name !== choice.name)
                      : [...props.selected, choice.name],
                )
              }
            />
            <div>
              <label for={inputId}>
                <code>{choice.name}</code>
              </label>
              <p id={`${inputId}-words`} class="hint">
                {choice.description}
              </p>
              {choice.extra}
            </div>
          </div>
        );
      })}
    </fieldset>
  );
}
