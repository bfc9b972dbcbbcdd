import type { WizardCatalogue } from '../../api/wizard-api.ts';
import type { WizardForm } from './wizard-form.ts';
import type { ControlId } from './wizard-steps.ts';

/** What every step of the wizard is given. */
export interface StepProps {
  form: WizardForm;
  update: (change: Partial<WizardForm>) => void;
  catalogue: WizardCatalogue;
  /** The API's words for a control, without the field name, beside the control. */
  errors: Partial<Record<ControlId, string>>;
}
