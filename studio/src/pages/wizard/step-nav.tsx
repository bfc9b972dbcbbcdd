import { type WizardStepId, wizardSteps } from './wizard-steps.ts';

/** The wizard's steps as buttons: the current one marked, the others reachable once the draft exists. */
export function StepNav(props: { current: WizardStepId; isCreated: boolean; onGo: (step: WizardStepId) => void }) {
  return (
    <nav aria-label="Wizard steps" class="step-nav">
      <ol>
        {wizardSteps.map((step) => (
          <li key={step.id}>
            <button
              type="button"
              aria-current={step.id === props.current ? 'step' : undefined}
              disabled={!props.isCreated && step.id !== 'model'}
              onClick={() => props.onGo(step.id)}
            >
              <span class="step-number" aria-hidden="true">
                {step.id === 'review' ? '✓' : step.number}
              </span>
              {step.title}
            </button>
          </li>
        ))}
      </ol>
    </nav>
  );
}
