import type { CompiledAgentPreview, WizardIssue } from '../../api/wizard-api.ts';
import type { WizardForm } from './wizard-form.ts';

/**
 * The review: what the agent is, what the API would refuse in it (each a button to its control)
 * and the compiled astromesh/v1 YAML. Deploy sits with Back in the wizard's actions.
 */
export function ReviewStep(props: {
  form: WizardForm;
  preview: CompiledAgentPreview | undefined;
  /** Issues of the preview and of a refused save or deploy. */
  issues: WizardIssue[];
  onGoToIssue: (issue: WizardIssue) => void;
}) {
  const { form } = props;
  const list = (names: string[]) => (names.length === 0 ? 'none' : names.join(', '));
  return (
    <>
      <dl class="review-facts">
        <dt>Name</dt>
        <dd>
          <code>{form.name}</code>
        </dd>
        <dt>Model</dt>
        <dd>
          <code>
            {form.provider}/{form.model}
          </code>
        </dd>
        <dt>Fallback</dt>
        <dd>{form.fallbackProvider ? <code>{`${form.fallbackProvider}/${form.fallbackModel}`}</code> : 'none'}</dd>
        <dt>Tools</dt>
        <dd>{list(form.tools)}</dd>
        <dt>MCP servers</dt>
        <dd>{list(form.mcpServers)}</dd>
        <dt>Memory</dt>
        <dd>
          {form.memoryStrategy}, window {form.windowSize}
        </dd>
        <dt>Guardrails</dt>
        <dd>
          in: {list(form.inputGuardrails)}; out: {list(form.outputGuardrails)}
        </dd>
        <dt>Max tokens</dt>
        <dd>{form.maxTokens}</dd>
      </dl>
      {props.issues.length > 0 && (
        <div class="error issues" role="alert">
          <h3>The API refuses this agent as it is</h3>
          <ul>
            {props.issues.map((issue) => (
              <li key={`${issue.field}:${issue.message}`}>
                <button type="button" class="link-button" onClick={() => props.onGoToIssue(issue)}>
                  <code>{issue.field}</code>: {issue.message}
                </button>
              </li>
            ))}
          </ul>
        </div>
      )}
      <div>
        <h3 id="wizard-yaml-title">Compiled astromesh/v1 YAML</h3>
        {props.preview ? (
          // Focusable, so a keyboard can scroll it (axe: scrollable-region-focusable).
          // biome-ignore lint/a11y/noNoninteractiveTabindex: a scrollable region must take focus to scroll by keyboard
          <section class="yaml" tabIndex={0} aria-labelledby="wizard-yaml-title">
            <pre>{props.preview.yaml}</pre>
          </section>
        ) : (
          <p aria-live="polite">Compiling…</p>
        )}
      </div>
    </>
  );
}
