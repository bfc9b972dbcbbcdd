import type { ChildProcess } from 'node:child_process';
import { createWriteStream, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { CoreV1Api, KubeConfig } from '@kubernetes/client-node';
import { locateTestBinaries } from '../binaries/locate-test-binaries.ts';
import { applyCrds } from './apply-crds.ts';
import { type FakeImages, type FakeKubelet, type KubeletLog, startFakeKubelet } from './fake-kubelet.ts';
import {
  kubeconfigYaml,
  startKubeControlPlane,
  startLoggedProcess,
  stopProcess,
  waitUntilReady,
} from './start-kube-control-plane.ts';

export interface TestCluster {
  server: string;
  /** Bearer token of a `system:masters` user. */
  adminToken: string;
  kubeconfigPath: string;
  /** A client config for `kubeconfigPath`. */
  kubeConfig: KubeConfig;
  kubelet: FakeKubelet;
  /** Where the control plane's and the kubelet's logs are, while the cluster runs. */
  dir: string;
  stop(): Promise<void>;
}

// The controllers that turn Deployments into running, reachable pods and clean up after them:
// ServiceAccounts and kube-root-ca.crt are what the ServiceAccount admission plugin and the
// projected token volume need; resourcequota keeps quota admission from refusing pods.
const controllers = [
  'deployment-controller',
  'replicaset-controller',
  'endpointslice-controller',
  'garbage-collector-controller',
  'namespace-controller',
  'serviceaccount-controller',
  'root-ca-certificate-publisher-controller',
  'resourcequota-controller',
];

/**
 * A cluster of its own for end-to-end tests: etcd and kube-apiserver (with the ServiceAccount
 * admission plugin on), kube-controller-manager, and a fake kubelet that runs pods as local
 * processes, so Deployments really become ReplicaSets, Pods and EndpointSlices. Slower to start
 * than the run's shared control plane (`testKubeConfig()`): use it only where pods must run.
 */
export async function startTestCluster(params: { images: FakeImages; nodeName?: string }): Promise<TestCluster> {
  const binaries = locateTestBinaries();
  const controlPlane = await startKubeControlPlane({
    serviceAccountAdmission: true,
    extraAdminUsers: ['kube-controller-manager', 'fake-kubelet'],
  });
  const { server, adminToken, kubeconfigPath, dir } = controlPlane;
  const caCertificate = readFileSync(controlPlane.caCertificatePath);
  // A user per component, so the API server's log and audit tell their requests apart.
  const kubeconfigOf = (userName: string) => {
    const token = controlPlane.userTokens[userName];
    if (!token) throw new Error(`the control plane has no token for ${userName}`);
    return kubeconfigYaml({ server, token, caCertificate, userName });
  };
  const kubeConfig = new KubeConfig();
  kubeConfig.loadFromFile(kubeconfigPath);
  let controllerManager: ChildProcess | undefined;
  let kubelet: FakeKubelet | undefined;
  const kubeletLog = createWriteStream(join(dir, 'fake-kubelet.log'));
  const stop = async () => {
    await kubelet?.stop();
    if (controllerManager) await stopProcess(controllerManager);
    await new Promise((resolve) => kubeletLog.end(resolve));
    await controlPlane.stop();
  };
  try {
    // The CRD before kube-controller-manager: its quota controller then counts CloudAgents from
    // its first discovery, instead of up to 30 s later (a quota refuses what it cannot count).
    await applyCrds(kubeConfig);
    controllerManager = await startControllerManager({
      binary: binaries.kubeControllerManager,
      dir,
      kubeconfig: kubeconfigOf('kube-controller-manager'),
      caCertificatePath: controlPlane.caCertificatePath,
      serviceAccountKeyPath: controlPlane.serviceAccountKeyPath,
      kubeConfig,
    });
    const log: KubeletLog = (fields, message) => {
      kubeletLog.write(`${JSON.stringify({ time: new Date().toISOString(), ...fields, message })}\n`);
    };
    const kubeletConfig = new KubeConfig();
    kubeletConfig.loadFromString(kubeconfigOf('fake-kubelet'));
    kubelet = await startFakeKubelet({
      kubeConfig: kubeletConfig,
      images: params.images,
      nodeName: params.nodeName,
      log,
      workDir: join(dir, 'kubelet'),
    });
    return { server, adminToken, kubeconfigPath, kubeConfig, kubelet, dir, stop };
  } catch (err) {
    await stop();
    throw err;
  }
}

async function startControllerManager(params: {
  binary: string;
  dir: string;
  kubeconfig: string;
  caCertificatePath: string;
  serviceAccountKeyPath: string;
  kubeConfig: KubeConfig;
}): Promise<ChildProcess> {
  const logFile = join(params.dir, 'kube-controller-manager.log');
  const kubeconfigPath = join(params.dir, 'kube-controller-manager.kubeconfig');
  writeFileSync(kubeconfigPath, params.kubeconfig, { mode: 0o600 });
  const child = startLoggedProcess({
    binary: params.binary,
    args: [
      `--kubeconfig=${kubeconfigPath}`,
      `--controllers=${controllers.join(',')}`,
      `--service-account-private-key-file=${params.serviceAccountKeyPath}`,
      `--root-ca-file=${params.caCertificatePath}`,
      '--use-service-account-credentials=false',
      // One instance per cluster: nothing to elect, and a Lease would only delay the start.
      '--leader-elect=false',
      // Readiness is checked through the API below, so no HTTPS endpoint (and no port) is needed.
      '--secure-port=0',
      // The defaults (20 QPS) throttle a test that creates many objects at once.
      '--kube-api-qps=200',
      '--kube-api-burst=400',
      '--controller-start-interval=0s',
    ],
    logFile,
  });
  const core = params.kubeConfig.makeApiClient(CoreV1Api);
  // Pods are admitted only once their namespace has its default ServiceAccount, and their token
  // volume needs kube-root-ca.crt: both mean the controllers are running.
  await waitUntilReady({
    name: 'kube-controller-manager',
    child,
    logFile,
    probe: async () => {
      await core.readNamespacedServiceAccount({ namespace: 'default', name: 'default' });
      await core.readNamespacedConfigMap({ namespace: 'default', name: 'kube-root-ca.crt' });
    },
  });
  return child;
}
