import { CoreV1Api, type KubeConfig, PatchStrategy, setHeaderOptions } from '@kubernetes/client-node';
import { beforeAll, describe, expect, it } from 'vitest';
import { apiFieldManager } from '../../api/backends/kubernetes/cloud-agents-client.ts';
import { createOrgSleepMarks } from '../../api/backends/kubernetes/org-sleep-marks.ts';
import { orgSecretName, orgSleepAnnotations } from '../../crds/org-runtime-names.ts';
import { apiIdentityFromChart } from '../support/chart-identity.ts';
import { createOrgNamespace } from '../support/org-namespace.ts';
import { testKubeConfig } from '../support/test-kube.ts';

// Several Cloud API replicas decide together when an org sleeps, through the marks on its Secret.
// Each "replica" here is a marks client of its own (no shared cache), acting with the chart's API
// RBAC on a real API server.

describe('org sleep marks shared by API replicas', () => {
  let admin: KubeConfig;
  let api: KubeConfig;

  beforeAll(async () => {
    admin = testKubeConfig();
    api = (await apiIdentityFromChart(admin)).kubeConfig;
  });

  const aReplica = () => createOrgSleepMarks({ core: api.makeApiClient(CoreV1Api) });
  const secondsAgo = (seconds: number) => new Date(Date.now() - seconds * 1000);

  it('marks an org asleep that no replica saw called since the cutoff, which every replica then sees', async () => {
    const { orgSlug } = await createOrgNamespace(admin);
    await aReplica().noteActive(orgSlug, secondsAgo(60));

    const isAsleep = await aReplica().markAsleepIfIdleSince(orgSlug, secondsAgo(30));

    expect(isAsleep).toBe(true);
    expect(await aReplica().isAsleep(orgSlug)).toBe(true);
  });

  it('leaves awake an org that another replica saw called after the cutoff', async () => {
    const { orgSlug } = await createOrgNamespace(admin);
    await aReplica().noteActive(orgSlug, secondsAgo(5));

    const isAsleep = await aReplica().markAsleepIfIdleSince(orgSlug, secondsAgo(30));

    expect(isAsleep).toBe(false);
    expect(await aReplica().isAsleep(orgSlug)).toBe(false);
  });

  it('wakes an org for every replica, and the wake counts as activity', async () => {
    const { orgSlug } = await createOrgNamespace(admin);
    await aReplica().markAsleepIfIdleSince(orgSlug, secondsAgo(0));

    await aReplica().markAwake(orgSlug, new Date());

    expect(await aReplica().isAsleep(orgSlug)).toBe(false);
    expect(await aReplica().markAsleepIfIdleSince(orgSlug, secondsAgo(30))).toBe(false);
  });

  it("keeps the marks through the API's own server-side apply of the Secret (its resync)", async () => {
    const { orgSlug, namespace } = await createOrgNamespace(admin);
    await aReplica().markAsleepIfIdleSince(orgSlug, secondsAgo(0));
    const core = api.makeApiClient(CoreV1Api);

    await core.patchNamespacedSecret(
      {
        name: orgSecretName,
        namespace,
        body: { apiVersion: 'v1', kind: 'Secret', metadata: { name: orgSecretName, namespace }, stringData: {} },
        fieldManager: apiFieldManager,
        force: true,
      },
      setHeaderOptions('Content-Type', PatchStrategy.ServerSideApply),
    );

    const secret = await core.readNamespacedSecret({ name: orgSecretName, namespace });
    expect(secret.metadata?.annotations?.[orgSleepAnnotations.sleeping]).toBe('true');
  });

  it('says an org without a Secret (nothing deployed) is awake, and neither marks nor fails on it', async () => {
    const { orgSlug } = await createOrgNamespace(admin, { withSecret: false });

    expect(await aReplica().isAsleep(orgSlug)).toBe(false);
    expect(await aReplica().markAsleepIfIdleSince(orgSlug, new Date())).toBe(false);
    await expect(aReplica().noteActive(orgSlug, new Date())).resolves.toBeUndefined();
  });
});
