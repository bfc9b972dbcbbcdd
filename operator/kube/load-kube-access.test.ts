import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import type { RequestOptions } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { loadKubeAccess } from './load-kube-access.ts';

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function aDir(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'kube-access-'));
  dirs.push(dir);
  for (const [name, content] of Object.entries(files)) writeFileSync(join(dir, name), content);
  return dir;
}

async function optionsOf(access: Awaited<ReturnType<typeof loadKubeAccess>>): Promise<RequestOptions> {
  const options: RequestOptions = { headers: { accept: 'application/json' } };
  await access.applyToHTTPSOptions(options);
  return options;
}

const kubeconfig = (user: string) => `apiVersion: v1
kind: Config
current-context: admin@test
contexts:
  - name: admin@test
    context: { cluster: test, user: admin }
clusters:
  - name: test
    cluster:
      server: https://127.0.0.1:6443
      certificate-authority: ca.crt
      tls-server-name: kubernetes
users:
  - name: admin
    user: ${user}
`;

describe('loadKubeAccess', () => {
  it('reads the ServiceAccount in a pod, and its rotated token once a minute has passed', async () => {
    const dir = aDir({ 'ca.crt': 'CA PEM', token: 'first-token\n' });
    let nowMs = 0;
    const access = await loadKubeAccess({
      kubeconfigPath: undefined,
      env: { KUBERNETES_SERVICE_HOST: '10.96.0.1', KUBERNETES_SERVICE_PORT: '443' },
      serviceAccountDir: dir,
      now: () => nowMs,
    });
    expect(access.getCurrentCluster()?.server).toBe('https://10.96.0.1:443');
    const first = await optionsOf(access);
    expect(String(first.ca)).toBe('CA PEM');
    expect(first.headers).toEqual({ accept: 'application/json', authorization: 'Bearer first-token' });

    writeFileSync(join(dir, 'token'), 'second-token');
    nowMs = 59_000;
    expect((await optionsOf(access)).headers).toMatchObject({ authorization: 'Bearer first-token' });
    nowMs = 60_000;
    expect((await optionsOf(access)).headers).toMatchObject({ authorization: 'Bearer second-token' });
  });

  it('needs a kubeconfig outside a cluster', async () => {
    await expect(loadKubeAccess({ kubeconfigPath: undefined, env: {} })).rejects.toThrow(/--kubeconfig/);
  });

  it('reads a kubeconfig’s token, client certificate and CA, files relative to the kubeconfig', async () => {
    const dir = aDir({
      'ca.crt': 'CA PEM',
      config: kubeconfig(
        `{ token: abc, client-certificate-data: ${btoa('CERT PEM')}, client-key-data: ${btoa('KEY PEM')} }`,
      ),
    });
    const access = await loadKubeAccess({ kubeconfigPath: join(dir, 'config') });
    const options = await optionsOf(access);
    expect(access.getCurrentCluster()?.server).toBe('https://127.0.0.1:6443');
    expect([String(options.ca), String(options.cert), String(options.key)]).toEqual(['CA PEM', 'CERT PEM', 'KEY PEM']);
    expect(options.servername).toBe('kubernetes');
    expect(options.headers).toMatchObject({ authorization: 'Bearer abc' });
  });

  it('hands a kubeconfig with an exec plugin to client-node, which runs it', async () => {
    const dir = aDir({
      'ca.crt': 'CA PEM',
      config: kubeconfig(
        `{ exec: { apiVersion: client.authentication.k8s.io/v1, command: echo, interactiveMode: Never, args: ['{"apiVersion":"client.authentication.k8s.io/v1","kind":"ExecCredential","status":{"token":"from-exec"}}'] } }`,
      ),
    });
    const access = await loadKubeAccess({ kubeconfigPath: join(dir, 'config') });
    expect((await optionsOf(access)).headers).toMatchObject({ Authorization: 'Bearer from-exec' });
  });
});
