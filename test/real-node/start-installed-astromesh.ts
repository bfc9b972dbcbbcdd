import { existsSync } from 'node:fs';
import { locateImages } from '../image/locate-images.ts';
import { startRealNode } from '../node/start-real-node.ts';
import type { RealNodeInfo } from './attach-real-node.ts';
import { installAstromesh, release } from './install-astromesh.ts';
import { serveOnLoopback } from './serve-on-loopback.ts';

/**
 * What the real-node suites share: a single-node cluster that runs real containers
 * (test/node/start-real-node.ts), the images `npm run image` built, imported into its containerd,
 * and the chart installed with `helm install --wait`. The API is served on loopback through the
 * node's relay to its Service.
 */
export async function startInstalledAstromesh(): Promise<{ info: RealNodeInfo; stop(): Promise<void> }> {
  const images = locateImages();
  const missing = [images.product, images.postgres].filter((image) => !existsSync(image.archive));
  if (missing.length > 0) {
    throw new Error(
      `the real-node suites need the images npm run image builds; missing: ${missing.map((image) => image.archive).join(', ')}`,
    );
  }
  const say = (line: string) => process.stderr.write(`[real-node] ${line}\n`);
  // Only to see the isolation tests fail when nothing enforces the NetworkPolicies (README).
  const networkPolicyEngine = process.env.ASTROMESH_TEST_NETWORK_POLICY_ENGINE !== 'off';
  if (!networkPolicyEngine) say('WARNING: no NetworkPolicy engine on this node');
  const node = await startRealNode({
    extraAddresses: [release.providerAddress, release.metadataAddress],
    networkPolicyEngine,
  });
  try {
    const importStarted = Date.now();
    await node.importImages([images.product.archive, images.postgres.archive]);
    say(`images imported in ${((Date.now() - importStarted) / 1000).toFixed(1)}s`);
    const installStarted = Date.now();
    await installAstromesh({
      kubeconfigPath: node.kubeconfigPath,
      exec: (command) => node.exec(command),
      images: { product: images.product.reference, postgres: images.postgres.reference },
    });
    say(`helm install --wait done in ${((Date.now() - installStarted) / 1000).toFixed(1)}s`);
    const api = await serveOnLoopback(node, 0);
    return {
      info: {
        kubeconfigPath: node.kubeconfigPath,
        runDir: node.runDir,
        pid: node.initPid,
        apiUrl: api.url,
        images: { product: images.product.reference, postgres: images.postgres.reference },
        logTail: (component, lines) => node.logTail(component, lines),
      },
      stop: async () => {
        await api.close();
        await node.stop();
      },
    };
  } catch (err) {
    say(
      `setup failed; last lines of the node's logs:\n${['kubelet', 'containerd', 'kube-apiserver']
        .map((component) => `--- ${component} ---\n${node.logTail(component, 30)}`)
        .join('\n')}`,
    );
    await node.stop();
    throw err;
  }
}
