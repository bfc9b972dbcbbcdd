import { controlAttributes, FieldError } from './field-error.tsx';
import { listPromptVariables } from './list-prompt-variables.ts';
import type { StepProps } from './step-props.ts';
import { controlIds } from './wizard-steps.ts';

/** Step 2: the system prompt (a Liquid template) and persona, with the variables the prompt uses. */
export function PromptStep(props: StepProps) {
  const { form, update, errors } = props;
  const variables = listPromptVariables(form.systemPrompt);
  return (
    <>
      <div class="field">
        <label for={controlIds.systemPrompt}>System prompt</label>
        <textarea
          {...controlAttributes(controlIds.systemPrompt, errors[controlIds.systemPrompt], 'wizard-prompt-hint')}
          rows={8}
          value={form.systemPrompt}
          onInput={(event) => update({ systemPrompt: event.currentTarget.value })}
        />
        <p id="wizard-prompt-hint" class="hint">
          A Liquid template: <code>{'{{ customer_name }}'}</code> is filled from the <code>context</code> of each run.
        </p>
        <FieldError id={controlIds.systemPrompt} error={errors[controlIds.systemPrompt]} />
      </div>
      <section class="variables" aria-labelledby="wizard-variables-title">
        <h3 id="wizard-variables-title">Variables this prompt uses</h3>
        {variables.length === 0 ? (
          <p class="hint">None yet.</p>
        ) : (
          <ul>
            {variables.map((variable) => (
              <li key={variable.name}>
                <code>{variable.name}</code>{' '}
                <span class="hint">
                  {variable.source === 'runtime' ? 'filled in by the runtime' : 'from the run’s context'}
                </span>
              </li>
            ))}
          </ul>
        )}
      </section>
      <div class="field">
        <label for={controlIds.persona}>Persona (optional)</label>
        <input
          {...controlAttributes(controlIds.persona, errors[controlIds.persona], 'wizard-persona-hint')}
          value={form.persona}
          onInput={(event) => update({ persona: event.currentTarget.value })}
        />
        <p id="wizard-persona-hint" class="hint">
          Who the agent is, e.g. “a support agent for Acme”: the prompt starts with “You are …”.
        </p>
        <FieldError id={controlIds.persona} error={errors[controlIds.persona]} />
      </div>
    </>
  );
}
