import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { Resolver } from 'node:dns/promises';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { CoreV1Api } from '@kubernetes/client-node';
import { afterEach, describe, expect, inject, it } from 'vitest';
import { locateTestBinaries } from '../binaries/locate-test-binaries.ts';
import { eventually } from '../support/eventually.ts';
import { freePort } from '../support/free-port.ts';
import { createTestNamespace, testKubeConfig } from '../support/test-kube.ts';

const run = promisify(execFile);

describe("the real node's CoreDNS", () => {
  const binaries = locateTestBinaries();
  const started: ChildProcess[] = [];
  const scratchDirs: string[] = [];

  afterEach(() => {
    for (const child of started.splice(0)) child.kill('SIGKILL');
    for (const dir of scratchDirs.splice(0)) rmSync(dir, { recursive: true, force: true });
  });

  it('is the pinned release with the plugins a cluster DNS needs linked in', async () => {
    const version = await run(binaries.coredns, ['-version']);
    const plugins = (await run(binaries.coredns, ['-plugins'])).stdout.split('\n');

    expect(version.stdout).toContain(`CoreDNS-${binaries.corednsVersion.slice(1)}`);
    expect(plugins).toEqual(
      expect.arrayContaining(['kubernetes', 'forward', 'cache', 'errors', 'log', 'health', 'ready', 'loop']),
    );
  });

  // Every directive of a stock cluster DNS Corefile is accepted (a plugin missing from our
  // directives list is a startup error), and the kubernetes plugin answers for a Service from
  // the run's real kube-apiserver.
  it('answers a Service name with its ClusterIP from the API server', async () => {
    const kubeConfig = testKubeConfig();
    const namespace = await createTestNamespace(kubeConfig, 'dns');
    const service = await kubeConfig.makeApiClient(CoreV1Api).createNamespacedService({
      namespace,
      body: { metadata: { name: 'web' }, spec: { selector: { app: 'web' }, ports: [{ port: 80 }] } },
    });
    const [dnsPort, healthPort, readyPort, upstreamPort] = [
      await freePort(),
      await freePort(),
      await freePort(),
      await freePort(),
    ];
    const dir = mkdtempSync(join(tmpdir(), 'coredns-'));
    scratchDirs.push(dir);
    const corefile = join(dir, 'Corefile');
    writeFileSync(
      corefile,
      `.:${dnsPort} {
    bind 127.0.0.1
    errors
    log
    health 127.0.0.1:${healthPort}
    ready 127.0.0.1:${readyPort}
    kubernetes cluster.local in-addr.arpa ip6.arpa {
        kubeconfig ${inject('kubeconfigPath')}
        fallthrough in-addr.arpa ip6.arpa
    }
    forward . 127.0.0.1:${upstreamPort}
    cache 30
    loop
    loadbalance
}
`,
    );
    const coredns = spawn(binaries.coredns, ['-conf', corefile], { stdio: 'ignore' });
    started.push(coredns);
    const resolver = new Resolver({ timeout: 1000, tries: 1 });
    resolver.setServers([`127.0.0.1:${dnsPort}`]);

    // ready answers 200 once the kubernetes plugin has synced with the API server; the DNS
    // socket may bind a moment after, so the query is retried too.
    await eventually(
      async () => {
        expect((await fetch(`http://127.0.0.1:${readyPort}/ready`)).status).toBe(200);
      },
      { timeoutMs: 30_000 },
    );
    const addresses = await eventually(() => resolver.resolve4(`web.${namespace}.svc.cluster.local`));

    expect(addresses).toEqual([service.spec?.clusterIP]);
    expect((await fetch(`http://127.0.0.1:${healthPort}/health`)).status).toBe(200);
  });
});
