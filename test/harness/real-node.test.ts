import { execFile, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { connect } from 'node:net';
import { basename, join } from 'node:path';
import { createInterface } from 'node:readline';
import { CoreV1Api, KubeConfig, NetworkingV1Api, type V1Pod } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { locateTestBinaries } from '../binaries/locate-test-binaries.ts';
import { locateImages } from '../image/locate-images.ts';
import { nodeIdentity, nodeLeftovers } from '../node/node-leftovers.ts';
import { processStartTime } from '../node/process-start-time.ts';
import { type RealNode, startRealNode } from '../node/start-real-node.ts';
import { sweepStaleNodeRuns } from '../node/sweep-stale-node-runs.ts';
import { eventually } from '../support/eventually.ts';

const repoRoot = join(import.meta.dirname, '..', '..');
const node24 = join(repoRoot, 'node_modules', 'node', 'bin', 'node');
const nodeStartTimeoutMs = 300_000;
const podStartTimeoutMs = 120_000;
// A test starts pods (each bounded by podStartTimeoutMs, and two start at once) and then retries
// for up to 30 s at a time: vitest's default 30 s cut one on a slow CI machine before its own bound, and
// its own failure message, could be reached.
const testTimeoutMs = podStartTimeoutMs + 3 * 30_000;
const echoPort = 8080;

/** A TCP server in the product image's Node: every connection gets `hello from <pod name>`. */
const echoServerScript = `require('net').createServer((socket) => socket.end('hello from ' + require('os').hostname() + '\\n')).listen(${echoPort})`;

describe('the real test node', { timeout: testTimeoutMs }, () => {
  const productImage = locateImages().product;
  let node: RealNode;
  let core: CoreV1Api;
  let networking: NetworkingV1Api;

  beforeAll(async () => {
    if (!existsSync(productImage.archive)) {
      throw new Error(`${productImage.archive} is missing: run \`npm run image\` (npm test does it first)`);
    }
    node = await startRealNode();
    await node.importImages([productImage.archive]);
    const kubeConfig = new KubeConfig();
    kubeConfig.loadFromFile(node.kubeconfigPath);
    core = kubeConfig.makeApiClient(CoreV1Api);
    networking = kubeConfig.makeApiClient(NetworkingV1Api);
  }, nodeStartTimeoutMs);

  afterAll(async () => {
    await node?.stop();
  });

  async function aNamespace(): Promise<string> {
    const name = `node-test-${randomBytes(3).toString('hex')}`;
    await core.createNamespace({ body: { metadata: { name } } });
    // Pods need the namespace's default ServiceAccount, which the controller-manager makes.
    await eventually(() => core.readNamespacedServiceAccount({ namespace: name, name: 'default' }), {
      timeoutMs: 30_000,
    });
    return name;
  }

  async function runningPod(namespace: string, pod: V1Pod): Promise<V1Pod> {
    await core.createNamespacedPod({ namespace, body: pod });
    const name = pod.metadata?.name ?? '';
    return eventually(
      async () => {
        const current = await core.readNamespacedPod({ namespace, name });
        expect(current.status?.phase, JSON.stringify(current.status?.containerStatuses)).toBe('Running');
        // A pod with a readiness probe is waited for until it listens: Running only says its
        // process started, and on a loaded machine node takes a while to reach listen().
        if (pod.spec?.containers.some((container) => container.readinessProbe)) {
          const ready = current.status?.conditions?.find((condition) => condition.type === 'Ready');
          expect(ready?.status, JSON.stringify(current.status?.conditions)).toBe('True');
        }
        return current;
      },
      { timeoutMs: podStartTimeoutMs, intervalMs: 250 },
    );
  }

  it('runs a pod on containerd with an address from the pod range', async () => {
    const namespace = await aNamespace();

    const pod = await runningPod(namespace, aPausePod(node.pauseImage, 'sleeper'));

    expect(pod.spec?.nodeName).toBe(node.nodeName);
    expect(pod.status?.podIP).toMatch(/^10\.244\.0\.\d+$/);
    expect(pod.status?.containerStatuses?.[0]?.containerID).toMatch(/^containerd:\/\//);
  });

  it("puts a container's memory limit into its cgroup", async () => {
    const namespace = await aNamespace();
    const pod = aPausePod(node.pauseImage, 'limited');
    pod.spec?.containers.forEach((container) => {
      container.resources = { limits: { memory: '48Mi', cpu: '100m' } };
    });

    const running = await runningPod(namespace, pod);

    const podCgroup = findPodCgroup(join('/sys/fs/cgroup/memory', node.cgroupRoot), running.metadata?.uid ?? '');
    const containerId = running.status?.containerStatuses?.[0]?.containerID?.replace('containerd://', '') ?? '';
    expect(readFileSync(join(podCgroup, containerId, 'memory.limit_in_bytes'), 'utf8').trim()).toBe(
      String(48 * 1024 * 1024),
    );
  });

  /** `node -e script` in a pod's container (the product image's Node), through kubectl exec. */
  function nodeScriptIn(namespace: string, pod: string, script: string): Promise<{ code: number; output: string }> {
    const kubectl = locateTestBinaries().kubectl;
    return new Promise((resolve) => {
      execFile(
        kubectl,
        ['--kubeconfig', node.kubeconfigPath, 'exec', '-n', namespace, pod, '--', 'node', '-e', script],
        (err, stdout, stderr) =>
          resolve({ code: err ? Number(err.code ?? 1) : 0, output: `${stdout}${stderr}`.trim() }),
      );
    });
  }

  /** An echo server pod behind a Service `echo`, and a client pod in another namespace. */
  async function anEchoServiceAndAClient() {
    const [serverNamespace, clientNamespace] = [await aNamespace(), await aNamespace()];
    await core.createNamespacedService({
      namespace: serverNamespace,
      body: {
        metadata: { name: 'echo' },
        spec: { selector: { app: 'echo' }, ports: [{ port: 80, targetPort: echoPort }] },
      },
    });
    const [server] = await Promise.all([
      runningPod(
        serverNamespace,
        aProductPod(productImage.reference, 'echo', echoServerScript, { app: 'echo' }, echoPort),
      ),
      runningPod(clientNamespace, aProductPod(productImage.reference, 'client', 'setInterval(() => {}, 1 << 30)')),
    ]);
    const service = await core.readNamespacedService({ namespace: serverNamespace, name: 'echo' });
    return {
      serverNamespace,
      clientNamespace,
      serverPodIp: server.status?.podIP ?? '',
      serviceIp: service.spec?.clusterIP ?? '',
      serviceName: `echo.${serverNamespace}.svc.cluster.local`,
    };
  }

  it('serves a Service by its virtual IP and its cluster DNS name to a pod in another namespace', async () => {
    const { clientNamespace, serviceIp, serviceName } = await anEchoServiceAndAClient();

    // Retried too: cluster DNS answers for a Service once its watch has seen it.
    await eventually(
      async () => {
        const resolved = await nodeScriptIn(clientNamespace, 'client', lookupScript(serviceName));
        expect(resolved).toEqual({ code: 0, output: serviceIp });
      },
      { timeoutMs: 30_000, intervalMs: 500 },
    );
    // Retried for a while: kube-proxy programs the Service's rules after the endpoint becomes
    // ready, and until then the virtual IP rejects (one CI run saw ECONNREFUSED right after Ready).
    await eventually(
      async () => {
        const answer = await nodeScriptIn(clientNamespace, 'client', connectScript(serviceName, 80));
        expect(answer).toEqual({ code: 0, output: 'OK hello from echo' });
      },
      { timeoutMs: 30_000, intervalMs: 500 },
    );
  });

  it('lets the test process reach a pod through a forwarded loopback port', async () => {
    const { serverPodIp } = await anEchoServiceAndAClient();

    const forwarded = await node.forward(serverPodIp, echoPort);
    // Retried for a while, as below: one CI run read nothing from the Ready echo pod just after it
    // started (the relay's connection refused before the node's packet filters caught up).
    const answer = await eventually(
      async () => {
        const read = await readAll(forwarded.port);
        expect(read).toBe('hello from echo\n');
        return read;
      },
      { timeoutMs: 30_000, intervalMs: 500 },
    );
    await forwarded.close();

    expect(answer).toBe('hello from echo\n');
  });

  it('enforces a NetworkPolicy: default-deny ingress blocks a connection that succeeded before it', async () => {
    const { serverNamespace, clientNamespace, serverPodIp } = await anEchoServiceAndAClient();
    // The control is retried for a while: one CI run saw ECONNREFUSED from the Ready echo pod just
    // after it started, before the node's packet filters (kube-router's) had caught up with it.
    await eventually(
      async () => {
        const control = await nodeScriptIn(clientNamespace, 'client', connectScript(serverPodIp, echoPort));
        expect(control).toEqual({ code: 0, output: 'OK hello from echo' });
      },
      { timeoutMs: 30_000, intervalMs: 500 },
    );

    await networking.createNamespacedNetworkPolicy({
      namespace: serverNamespace,
      body: { metadata: { name: 'default-deny-ingress' }, spec: { podSelector: {}, policyTypes: ['Ingress'] } },
    });

    await eventually(
      async () => {
        const attempt = await nodeScriptIn(clientNamespace, 'client', connectScript(serverPodIp, echoPort));
        expect(attempt.output).toMatch(/^FAIL /);
      },
      { timeoutMs: 30_000, intervalMs: 500 },
    );
  });

  it('tears down everything it made when stopped', async () => {
    const identity = nodeIdentity(node);
    // Started inside the node's namespaces, as a test's fake would be: it must go too.
    node.spawnInside('sleep', ['3600'], { stdio: 'ignore' });
    expect(nodeLeftovers(identity)).not.toEqual([]);

    await node.stop();

    expect(nodeLeftovers(identity)).toEqual([]);
  });
});

describe('a real test node whose test process is killed', () => {
  async function aHeldNode() {
    const holder = spawn(node24, [join(repoRoot, 'test', 'fixtures', 'hold-real-node.ts')], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    const line = await new Promise<string>((resolve, reject) => {
      createInterface({ input: holder.stdout }).once('line', resolve);
      holder.once('exit', (code) =>
        reject(new Error(`hold-real-node exited (code ${code}) before its node was ready`)),
      );
    });
    const started = JSON.parse(line) as { runDir: string; initPid: number; cgroupRoot: string; insidePid: number };
    return { holder, started, identity: nodeIdentity(started) };
  }

  it(
    'goes away with it, with whatever tests started inside it',
    async () => {
      const { holder, started, identity } = await aHeldNode();

      holder.kill('SIGKILL');

      await eventually(
        () => {
          expect(nodeLeftovers(identity)).toEqual([]);
          expect(isAlive(started.insidePid)).toBe(false);
        },
        { timeoutMs: 60_000, intervalMs: 250 },
      );
    },
    nodeStartTimeoutMs,
  );

  it(
    'leaves its run folder and empty cgroups to the next run when killed with its supervisor, and the next run sweeps them',
    async () => {
      const { holder, started, identity } = await aHeldNode();

      // Killing the node's init kills every process of the node at once: nothing can clean up.
      process.kill(started.initPid, 'SIGKILL');
      holder.kill('SIGKILL');
      await eventually(
        () => {
          expect([started.initPid, started.insidePid].filter(isAlive)).toEqual([]);
          // And the `unshare` that waits for the init, gone once it has reaped it.
          expect(nodeLeftovers(identity).filter((leftover) => leftover.startsWith('process '))).toEqual([]);
          // The run's owner too: a sweep leaves the run of a live owner alone.
          expect(holder.signalCode).toBe('SIGKILL');
        },
        { timeoutMs: 30_000 },
      );
      const left = nodeLeftovers(identity);
      const swept = sweepStaleNodeRuns();

      expect(left).toContain(`run folder ${started.runDir}`);
      expect(left.some((leftover) => leftover.startsWith('cgroup '))).toBe(true);
      expect(left.filter((leftover) => leftover.startsWith('process '))).toEqual([]);
      expect(swept).toContain(basename(started.runDir));
      expect(nodeLeftovers(identity)).toEqual([]);
    },
    nodeStartTimeoutMs,
  );
});

function aPausePod(image: string, name: string): V1Pod {
  return {
    metadata: { name },
    spec: {
      containers: [{ name: 'pause', image, imagePullPolicy: 'Never' }],
      terminationGracePeriodSeconds: 1,
    },
  };
}

/** A pod running `script` with the product image's node; with `readyOnPort`, Ready once it listens there. */
function aProductPod(
  image: string,
  name: string,
  script: string,
  labels: Record<string, string> = {},
  readyOnPort?: number,
): V1Pod {
  const readinessProbe = readyOnPort === undefined ? undefined : { tcpSocket: { port: readyOnPort }, periodSeconds: 1 };
  return {
    metadata: { name, labels },
    spec: {
      containers: [{ name: 'node', image, imagePullPolicy: 'Never', command: ['node', '-e', script], readinessProbe }],
      terminationGracePeriodSeconds: 1,
    },
  };
}

/** Prints `OK <what the server sent>`, or `FAIL <error code>` (exit 1) within 3 s. */
function connectScript(host: string, port: number): string {
  return `const socket = require('net').connect({ host: ${JSON.stringify(host)}, port: ${port}, timeout: 3000 });
let received = '';
socket.on('data', (chunk) => { received += chunk; });
socket.on('end', () => console.log('OK ' + received.trim()));
socket.on('timeout', () => { console.log('FAIL timeout'); process.exit(1); });
socket.on('error', (err) => { console.log('FAIL ' + err.code); process.exit(1); });`;
}

/** Prints the address the pod's resolver (cluster DNS) gives `name`. */
function lookupScript(name: string): string {
  return `require('dns').promises.lookup(${JSON.stringify(name)}).then((answer) => console.log(answer.address), (err) => { console.log('FAIL ' + err.code); process.exit(1); });`;
}

function readAll(port: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    let received = '';
    socket.on('data', (chunk) => {
      received += chunk;
    });
    socket.on('end', () => resolve(received));
    socket.on('error', reject);
  });
}

/** The pod's cgroup: below kubepods/, or kubepods/<qos class>/ unless the pod is Guaranteed. */
function findPodCgroup(root: string, podUid: string): string {
  for (const dir of [
    join(root, 'kubepods'),
    join(root, 'kubepods', 'burstable'),
    join(root, 'kubepods', 'besteffort'),
  ]) {
    if (readdirSync(dir).includes(`pod${podUid}`)) return join(dir, `pod${podUid}`);
  }
  throw new Error(`no cgroup of pod ${podUid} below ${root}`);
}

/** Running, not gone nor a zombie (a parent that never reaps keeps a dead process a zombie). */
function isAlive(pid: number): boolean {
  return processStartTime(pid) !== undefined;
}
