import type { AgentDocument } from '../../runtime/config/agent-schema.ts';

/** What one org's runtime should serve: its deployed agents, compiled, and its provider keys. */
export interface OrgDeployment {
  orgSlug: string;
  /** Empty: the org runs nothing, and its runtime may stop (idle orgs cost nothing). */
  agents: AgentDocument[];
  /**
   * Paused agents, compiled like deployed ones: they keep their deployment projection (a paused
   * CloudAgent) but serve nothing. Backends that only run agents (local) ignore them.
   */
  pausedAgents: AgentDocument[];
  /** Runtime credentials by name: OPENAI_API_KEY, OPENAI_BASE_URL, OLLAMA_BASE_URL… */
  credentials: Record<string, string>;
}

export interface ApplyOptions {
  /**
   * Whether applyOrg waits until the runtime serves the deployment (the default). Restoring what
   * the database says (at startup, on resync, after a failed change) only puts the desired state
   * back: nobody waits for it, and a slow runtime must not hold the org's lock meanwhile.
   */
  waitUntilServed?: boolean;
}

export interface RuntimeEndpoint {
  /** e.g. http://127.0.0.1:41234 or http://astromesh-runtime.astromesh-org-acme.svc:8000 */
  baseUrl: string;
  /** The per-org token the runtime requires (DESIGN.md decision 9). */
  token: string;
}

/**
 * Where orgs' agents run. `local` (the embedded default) runs one runtime process per org on
 * loopback; `kubernetes` applies CloudAgent resources that the operator reconciles. The Cloud
 * API only ever talks to this interface.
 */
export interface DeployBackend {
  /**
   * Makes the org's runtime serve exactly `deployment` (declarative and idempotent: applying
   * the same deployment twice changes nothing). Resolves when the runtime serves it, unless
   * `options.waitUntilServed` is false; throws `DeployTimeout` when it is not served in time.
   */
  applyOrg(deployment: OrgDeployment, options?: ApplyOptions): Promise<void>;
  /** Where run, test and stream calls of the org go; undefined while the org has no runtime. */
  endpointOf(orgSlug: string): Promise<RuntimeEndpoint | undefined>;
  /** Stops everything this backend started. */
  close(): Promise<void>;
}
