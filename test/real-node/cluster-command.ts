// `npm run cluster`: the real thing on your own Linux machine, without kind or k3d. Builds the
// image (npm run image), starts the single-node cluster the tests use (real containers under
// containerd + runc, in namespaces of its own), installs the chart with helm, and prints the
// kubeconfig and the API's URL. Ctrl-C (or closing the terminal) tears everything down.
//
//   npm run cluster                  API on a free loopback port
//   npm run cluster -- --port 8080   API on 127.0.0.1:8080
//
// Needs root (namespaces, mounts, cgroups) and the packages the test node installs.
import { parseArgs } from 'node:util';
import { buildImages } from '../image/locate-images.ts';
import { startRealNode } from '../node/start-real-node.ts';
import { installAstromesh, release } from './install-astromesh.ts';
import { serveOnLoopback } from './serve-on-loopback.ts';

const usage = `Usage: npm run cluster [-- --port N]

Starts a single-node Kubernetes cluster that runs real containers (containerd + runc, CNI,
kube-proxy, CoreDNS, kube-router for NetworkPolicies), installs charts/astromesh-cloud on it with
helm, and prints the kubeconfig and the Cloud API's URL. Runs until Ctrl-C, then removes it all.
Linux and root only.

  --port N   serve the Cloud API on 127.0.0.1:N (default: a free port)
  --help     this text
`;

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { port: { type: 'string' }, help: { type: 'boolean' } } });
  if (values.help) {
    process.stdout.write(usage);
    return;
  }
  const port = values.port === undefined ? 0 : Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    process.stderr.write(`--port: expected a port number, got ${values.port}\n\n${usage}`);
    process.exitCode = 2;
    return;
  }
  if (process.getuid?.() !== 0) {
    process.stderr.write('npm run cluster needs root: the node makes network, mount and PID namespaces and cgroups.\n');
    process.exitCode = 1;
    return;
  }
  const images = await buildImages();
  const node = await startRealNode({ extraAddresses: [release.providerAddress] });
  const stop = async () => {
    process.stderr.write('\nstopping the cluster…\n');
    await node.stop();
    process.exit(0);
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  await node.importImages([images.product.archive, images.postgres.archive]);
  await installAstromesh({
    kubeconfigPath: node.kubeconfigPath,
    exec: (command) => node.exec(command),
    images: { product: images.product.reference, postgres: images.postgres.reference },
  });
  const api = await serveOnLoopback(node, port);
  process.stdout.write(
    [
      '',
      'Astromesh Cloud runs on a single-node cluster.',
      `  kubeconfig   export KUBECONFIG=${node.kubeconfigPath}`,
      `  Cloud API    ${api.url}/api/v1   (dev login is on: POST ${api.url}/api/v1/auth/dev/login)`,
      `  release      helm --kubeconfig ${node.kubeconfigPath} -n ${release.namespace} status ${release.name}`,
      '  Ctrl-C stops it and removes everything it made.',
      '',
    ].join('\n'),
  );
}

main().catch((err: unknown) => {
  process.stderr.write(`npm run cluster failed: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
