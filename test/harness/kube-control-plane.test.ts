import { CoreV1Api, VersionApi } from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
import { locateTestBinaries } from '../binaries/locate-test-binaries.ts';
import { createTestNamespace, testKubeConfig } from '../support/test-kube.ts';

describe('the test Kubernetes control plane', () => {
  it('is the pinned kube-apiserver release', async () => {
    const version = await testKubeConfig().makeApiClient(VersionApi).getCode();

    expect(version.gitVersion).toBe(locateTestBinaries().kubernetesVersion);
  });

  it('refuses a token it does not know', async () => {
    const stranger = testKubeConfig({ token: 'not-a-valid-token' });

    await expect(stranger.makeApiClient(CoreV1Api).listNamespace()).rejects.toMatchObject({ code: 401 });
  });

  it('signs service-account tokens and enforces RBAC on their holders', async () => {
    const admin = testKubeConfig();
    const namespace = await createTestNamespace(admin);
    const core = admin.makeApiClient(CoreV1Api);
    await core.createNamespacedServiceAccount({ namespace, body: { metadata: { name: 'reader' } } });
    const tokenRequest = await core.createNamespacedServiceAccountToken({
      namespace,
      name: 'reader',
      body: { spec: { audiences: [], expirationSeconds: 600 } },
    });

    const asReader = testKubeConfig({ token: tokenRequest.status?.token ?? '' });

    await expect(asReader.makeApiClient(CoreV1Api).listNamespace()).rejects.toMatchObject({ code: 403 });
  });

  it('gives each test a namespace of its own', async () => {
    const kubeConfig = testKubeConfig();

    const [first, second] = [await createTestNamespace(kubeConfig), await createTestNamespace(kubeConfig)];
    const names = (await kubeConfig.makeApiClient(CoreV1Api).listNamespace()).items.map((ns) => ns.metadata?.name);

    expect(first).not.toBe(second);
    expect(names).toEqual(expect.arrayContaining([first, second]));
  });
});
