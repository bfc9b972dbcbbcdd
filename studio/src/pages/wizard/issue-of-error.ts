import { ApiError } from '../../api/api-error.ts';
import type { WizardIssue } from '../../api/wizard-api.ts';
import { type ControlId, fieldTarget } from './wizard-steps.ts';

/**
 * A refused save or deploy as an issue on a wizard field, when it names one the wizard has a
 * control for: the API's `field: words` (400/422), or a name already taken (409 agent_exists).
 */
export function issueOfError(err: unknown): WizardIssue | undefined {
  if (!(err instanceof ApiError)) return undefined;
  if (err.code === 'agent_exists') return { field: 'name', message: `${err.message}: choose another name.` };
  if (!err.field || !fieldTarget(err.field)) return undefined;
  return { field: err.field, message: err.message.slice(err.field.length + 2) };
}

/** The words to show beside each control; the first issue on a control wins. */
export function issuesByControl(issues: readonly WizardIssue[]): Partial<Record<ControlId, string>> {
  const byControl: Partial<Record<ControlId, string>> = {};
  for (const issue of issues) {
    const target = fieldTarget(issue.field);
    if (target && byControl[target.control] === undefined) byControl[target.control] = issue.message;
  }
  return byControl;
}
