import { ChoiceList } from './choice-list.tsx';
import { controlAttributes, FieldError } from './field-error.tsx';
import type { StepProps } from './step-props.ts';
import { controlIds } from './wizard-steps.ts';

/** Step 4: the conversational memory: type, strategy and window. */
export function MemoryStep(props: StepProps) {
  const { form, update, errors, catalogue } = props;
  const bounds = catalogue.memory.window_size;
  return (
    <>
      <div class="field field-narrow">
        <label for={controlIds.memoryType}>Memory type</label>
        <select
          {...controlAttributes(controlIds.memoryType, errors[controlIds.memoryType])}
          value={form.memoryType}
          onChange={(event) => update({ memoryType: event.currentTarget.value })}
        >
          {catalogue.memory.types.map((type) => (
            <option key={type} value={type}>
              {type}
            </option>
          ))}
        </select>
        <FieldError id={controlIds.memoryType} error={errors[controlIds.memoryType]} />
      </div>
      <ChoiceList
        id={controlIds.memoryStrategy}
        legend="Strategy"
        kind="radio"
        selected={[form.memoryStrategy]}
        onChange={([memoryStrategy]) => update({ memoryStrategy })}
        error={errors[controlIds.memoryStrategy]}
        choices={catalogue.memory.strategies}
      />
      <div class="field field-narrow">
        <label for={controlIds.windowSize}>Window (turns)</label>
        <input
          {...controlAttributes(controlIds.windowSize, errors[controlIds.windowSize], 'wizard-window-hint')}
          type="number"
          inputMode="numeric"
          min={bounds.min}
          max={bounds.max}
          value={form.windowSize}
          onInput={(event) => update({ windowSize: event.currentTarget.value })}
        />
        <p id="wizard-window-hint" class="hint">
          {bounds.min} to {bounds.max} turns
          {form.memoryStrategy === 'token_budget' ? '; not used by token_budget.' : '.'}
        </p>
        <FieldError id={controlIds.windowSize} error={errors[controlIds.windowSize]} />
      </div>
    </>
  );
}
