import pino from 'pino';
import { OrgRuntimeSettings } from '../../operator/config/org-runtime-settings.ts';
import type { KubeClient } from '../../operator/kube/kube-client.ts';
import { createOrgReconciler } from '../../operator/reconcile/reconcile-org.ts';
import { createEventRecorder } from '../../operator/reconcile/record-event.ts';
import { snapshotOrgView } from './snapshot-org-view.ts';

const defaultSettings = OrgRuntimeSettings.parse({ image: 'ghcr.io/astromesh/astromesh-cloud:0.1.0' });
const log = pino({ level: 'silent' });

/**
 * One reconcile of one org namespace, as the operator's worker runs it, on what its informers
 * would hold right now: lets a test step through the operator's work with no queue or timing.
 */
export async function reconcileOnce(
  kube: KubeClient,
  namespace: string,
  options: { settings?: OrgRuntimeSettings; pullSecretNamespace?: string } = {},
) {
  const settings = options.settings ?? defaultSettings;
  const pullSecretsFrom = options.pullSecretNamespace
    ? { namespace: options.pullSecretNamespace, names: settings.imagePullSecrets }
    : undefined;
  const now = () => new Date();
  const reconcileOrg = createOrgReconciler({
    kube,
    view: await snapshotOrgView(kube, namespace, pullSecretsFrom),
    settings,
    recordEvent: createEventRecorder({ kube, identity: 'test', now, log }),
    now,
    log,
  });
  return reconcileOrg(namespace);
}
