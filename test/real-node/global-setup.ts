import { existsSync } from 'node:fs';
import type { TestProject } from 'vitest/node';
import { locateImages } from '../image/locate-images.ts';
import { startRealNode } from '../node/start-real-node.ts';
import { installAstromesh, release } from './install-astromesh.ts';
import { serveOnLoopback } from './serve-on-loopback.ts';

/**
 * The real node's suites share one node and one installation, made once per `vitest run`:
 * a single-node cluster that runs real containers (test/node/start-real-node.ts), the images
 * `npm run image` built, imported into its containerd, and the chart installed with `helm
 * install --wait`. The API is reached through a loopback port forwarded to its Service.
 */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const images = locateImages();
  const missing = [images.product, images.postgres].filter((image) => !existsSync(image.archive));
  if (missing.length > 0) {
    throw new Error(
      `the real-node suites need the images npm run image builds; missing: ${missing.map((image) => image.archive).join(', ')}`,
    );
  }
  let stopServing = async () => {};
  // Only to see the isolation tests fail when nothing enforces the NetworkPolicies (README).
  const networkPolicyEngine = process.env.ASTROMESH_TEST_NETWORK_POLICY_ENGINE !== 'off';
  if (!networkPolicyEngine) process.stderr.write('[real-node] WARNING: no NetworkPolicy engine on this node\n');
  const node = await startRealNode({
    extraAddresses: [release.providerAddress, release.metadataAddress],
    networkPolicyEngine,
  });
  try {
    const say = (line: string) => process.stderr.write(`[real-node] ${line}\n`);
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
    stopServing = api.close;
    project.provide('realNode', {
      kubeconfigPath: node.kubeconfigPath,
      runDir: node.runDir,
      pid: node.initPid,
      apiUrl: api.url,
      images: { product: images.product.reference, postgres: images.postgres.reference },
    });
  } catch (err) {
    process.stderr.write(
      `[real-node] setup failed; last lines of the node's logs:\n${['kubelet', 'containerd', 'kube-apiserver']
        .map((component) => `--- ${component} ---\n${node.logTail(component, 30)}`)
        .join('\n')}\n`,
    );
    await node.stop();
    throw err;
  }
  return async () => {
    await stopServing();
    await node.stop();
  };
}
