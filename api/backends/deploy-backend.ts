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
 * Scaling idle orgs to zero (issue 13): the Cloud API sees every call and decides when an org is
 * idle; a backend only knows how to put an org's runtime to sleep, and its `endpointOf` wakes a
 * sleeping org and waits until it serves again.
 */
export interface OrgSleep {
  /** Orgs whose runtime runs (or starts) now: the ones that could be put to sleep. */
  awakeOrgs(): Promise<string[]>;
  /**
   * Scales the org's runtime to zero, its agents kept, unless some API replica saw the org called
   * after `idleSince`; resolves whether the org sleeps now.
   */
  sleepIfIdleSince(orgSlug: string, idleSince: Date): Promise<boolean>;
  /** Tells the other API replicas the org was called at `at` (nothing to tell with one process). */
  noteActive(orgSlug: string, at: Date): Promise<void>;
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
  /**
   * Where run, test and stream calls of the org go; undefined while the org has no runtime. An org
   * put to sleep is woken, and this resolves once its runtime serves again.
   */
  endpointOf(orgSlug: string): Promise<RuntimeEndpoint | undefined>;
  /** Absent: the backend keeps every org's runtime up. */
  sleep?: OrgSleep;
  /** Stops everything this backend started. */
  close(): Promise<void>;
}
