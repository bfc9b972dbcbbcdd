import { ChoiceList } from './choice-list.tsx';
import { controlAttributes, FieldError } from './field-error.tsx';
import type { StepProps } from './step-props.ts';
import { controlIds } from './wizard-steps.ts';

/** Step 5: guardrails on what comes in and what goes out, and the most tokens an answer may hold. */
export function GuardrailsStep(props: StepProps) {
  const { form, update, errors, catalogue } = props;
  const bounds = catalogue.max_tokens;
  return (
    <>
      <ChoiceList
        id={controlIds.inputGuardrails}
        legend="Input guardrails (on what the user sends)"
        kind="checkbox"
        selected={form.inputGuardrails}
        onChange={(inputGuardrails) => update({ inputGuardrails })}
        error={errors[controlIds.inputGuardrails]}
        choices={catalogue.guardrails.input}
      />
      <ChoiceList
        id={controlIds.outputGuardrails}
        legend="Output guardrails (on the agent’s answer)"
        kind="checkbox"
        selected={form.outputGuardrails}
        onChange={(outputGuardrails) => update({ outputGuardrails })}
        error={errors[controlIds.outputGuardrails]}
        choices={catalogue.guardrails.output}
      />
      <div class="field field-narrow">
        <label for={controlIds.maxTokens}>Max tokens per answer</label>
        <input
          {...controlAttributes(controlIds.maxTokens, errors[controlIds.maxTokens], 'wizard-max-tokens-hint')}
          type="number"
          inputMode="numeric"
          min={bounds.min}
          max={bounds.max}
          value={form.maxTokens}
          onInput={(event) => update({ maxTokens: event.currentTarget.value })}
        />
        <p id="wizard-max-tokens-hint" class="hint">
          {bounds.min} to {bounds.max.toLocaleString('en')}.
        </p>
        <FieldError id={controlIds.maxTokens} error={errors[controlIds.maxTokens]} />
      </div>
    </>
  );
}
