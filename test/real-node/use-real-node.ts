import { afterAll, beforeAll } from 'vitest';
import { type AttachedNode, attachRealNode } from './attach-real-node.ts';
import { aDeployedOrg, type OrgUser, type PodsProvider, startFakeProviderForPods } from './org-users.ts';

/** What a real-node suite starts from; its fields are set once the suite's beforeAll has run. */
export interface RealNodeSetup {
  /** The node and release that real-node.test.ts installed. */
  node: AttachedNode;
  /** A fake OpenAI in this process that the org runtimes' pods reach. */
  provider: PodsProvider;
  /** Fresh orgs whose OpenAI key points at the fake, each with support-bot deployed. */
  orgs: OrgUser[];
}

/**
 * Registers the beforeAll and afterAll every real-node suite begins with: it attaches to the node,
 * starts the fake provider the pods reach, and deploys `deployedOrgs` orgs (at once), and closes
 * the provider after the suite. Hooks the suite registers after this call run after these.
 */
export function useRealNode(options: { deployedOrgs: number }): RealNodeSetup {
  const setup = { orgs: [] as OrgUser[] } as RealNodeSetup;
  beforeAll(async () => {
    setup.node = attachRealNode();
    setup.provider = await startFakeProviderForPods(setup.node);
    setup.orgs = await Promise.all(
      Array.from({ length: options.deployedOrgs }, () => aDeployedOrg(setup.node.apiUrl, setup.provider.baseUrl)),
    );
  }, 180_000);
  afterAll(async () => {
    await setup.provider?.close();
  });
  return setup;
}
