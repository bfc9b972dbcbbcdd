import type { ProviderKeyView } from '../../../../api/schemas/provider-key-view.ts';
import { controlAttributes, FieldError } from './field-error.tsx';
import type { StepProps } from './step-props.ts';
import { splitModelRef } from './wizard-form.ts';
import { controlIds } from './wizard-steps.ts';

/** Step 1: the agent's name, display name, model and fallback model. */
export function ModelStep(props: StepProps & { providerKeys: ProviderKeyView[]; isCreated: boolean }) {
  const { form, update, errors } = props;
  const hasKey = (provider: string) => props.providerKeys.some((key) => key.provider === provider);
  return (
    <>
      <div class="field">
        <label for={controlIds.name}>Name</label>
        <input
          {...controlAttributes(controlIds.name, errors[controlIds.name], 'wizard-name-hint')}
          value={form.name}
          readOnly={props.isCreated}
          autocomplete="off"
          spellcheck={false}
          onInput={(event) => update({ name: event.currentTarget.value })}
        />
        <p id="wizard-name-hint" class="hint">
          {props.isCreated
            ? 'An agent’s name cannot change once it is created.'
            : 'Lowercase letters, digits and “-”, e.g. support-bot. It names the agent in the API and cannot change later.'}
        </p>
        <FieldError id={controlIds.name} error={errors[controlIds.name]} />
      </div>
      <div class="field">
        <label for={controlIds.displayName}>Display name (optional)</label>
        <input
          {...controlAttributes(controlIds.displayName, errors[controlIds.displayName])}
          value={form.displayName}
          onInput={(event) => update({ displayName: event.currentTarget.value })}
        />
        <FieldError id={controlIds.displayName} error={errors[controlIds.displayName]} />
      </div>
      <ModelPicker
        {...props}
        legend="Model"
        providerLabel="Model provider"
        modelLabel="Model name"
        providerId="wizard-model-provider"
        modelId={controlIds.model}
        provider={form.provider}
        model={form.model}
        hasKey={hasKey}
        onChange={(provider, model) => update({ provider, model })}
      />
      <ModelPicker
        {...props}
        legend="Fallback model (optional)"
        providerLabel="Fallback provider"
        modelLabel="Fallback model name"
        providerId="wizard-fallback-provider"
        modelId={controlIds.fallbackModel}
        provider={form.fallbackProvider}
        model={form.fallbackModel}
        hasKey={hasKey}
        isOptional
        onChange={(provider, model) => update({ fallbackProvider: provider, fallbackModel: model })}
      />
    </>
  );
}

function ModelPicker(
  props: StepProps & {
    legend: string;
    providerLabel: string;
    modelLabel: string;
    providerId: string;
    modelId: typeof controlIds.model | typeof controlIds.fallbackModel;
    provider: string;
    model: string;
    hasKey: (provider: string) => boolean;
    isOptional?: boolean;
    onChange: (provider: string, model: string) => void;
  },
) {
  const error = props.errors[props.modelId];
  const suggestions = props.catalogue.providers.find((provider) => provider.name === props.provider)?.suggested_models;
  const listId = `${props.modelId}-suggestions`;
  const keyHintId = `${props.modelId}-key`;
  return (
    <fieldset class="field-group">
      <legend>{props.legend}</legend>
      <div class="model-picker">
        <div class="field">
          <label for={props.providerId}>{props.providerLabel}</label>
          <select
            id={props.providerId}
            value={props.provider}
            aria-describedby={props.provider ? keyHintId : undefined}
            onChange={(event) => {
              const provider = event.currentTarget.value;
              // A model of one provider means nothing to another: start from its first suggestion.
              const first = props.catalogue.providers.find((entry) => entry.name === provider)?.suggested_models[0];
              props.onChange(provider, provider === '' ? '' : splitModelRef(first?.model).model);
            }}
          >
            {props.isOptional && <option value="">No fallback</option>}
            {props.catalogue.providers.map((provider) => (
              <option key={provider.name} value={provider.name}>
                {provider.name} — {props.hasKey(provider.name) ? 'key saved' : 'no key yet'}
              </option>
            ))}
          </select>
        </div>
        <div class="field">
          <label for={props.modelId}>{props.modelLabel}</label>
          <input
            {...controlAttributes(props.modelId, error)}
            value={props.model}
            list={listId}
            disabled={props.provider === ''}
            autocomplete="off"
            spellcheck={false}
            onInput={(event) => props.onChange(props.provider, event.currentTarget.value)}
          />
          <datalist id={listId}>
            {(suggestions ?? []).map((suggestion) => (
              <option key={suggestion.model} value={splitModelRef(suggestion.model).model}>
                {suggestion.note}
              </option>
            ))}
          </datalist>
        </div>
      </div>
      {props.provider !== '' && (
        <p id={keyHintId} class="hint">
          {props.hasKey(props.provider)
            ? `This org has a key for ${props.provider}.`
            : [
                `This org has no key for ${props.provider} yet: add one under `,
                <a key="link" href="/studio/providers">
                  Provider keys
                </a>,
                ' before deploying.',
              ]}
        </p>
      )}
      <FieldError id={props.modelId} error={error} />
    </fieldset>
  );
}
