/** The operator marked a CloudAgent Failed: its spec cannot run, so waiting longer cannot help. */
export class CloudAgentFailed extends Error {
  override name = 'CloudAgentFailed';
  readonly agentName: string;

  constructor(input: { agentName: string; reason: string }) {
    super(`agent '${input.agentName}' failed: ${input.reason}`);
    this.agentName = input.agentName;
  }
}
