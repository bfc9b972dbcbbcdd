/**
 * A guardrail rule that cannot work as written (an invalid regular expression, a rule on the wrong
 * side). Only the agent's author can fix it, so it names the field, like a schema error.
 */
export class GuardrailConfigError extends Error {
  override name = 'GuardrailConfigError';
  /** E.g. `spec.guardrails.output[1].blocked_patterns[0]`. */
  readonly field: string;

  constructor(field: string, message: string) {
    super(`${field}: ${message}`);
    this.field = field;
  }
}
