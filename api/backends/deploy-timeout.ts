/**
 * The backend applied a deployment but the runtime did not serve it within the deploy timeout.
 * The Cloud API answers 504 deploy_timeout and puts the backend back to what the database says.
 */
export class DeployTimeout extends Error {
  override name = 'DeployTimeout';
  readonly timeoutMs: number;

  constructor(input: { timeoutMs: number; waitingFor: string[] }) {
    super(
      `the org's runtime did not serve the change within ${Math.round(input.timeoutMs / 1000)} s` +
        (input.waitingFor.length > 0 ? ` (still waiting for ${input.waitingFor.join('; ')})` : ''),
    );
    this.timeoutMs = input.timeoutMs;
  }
}
