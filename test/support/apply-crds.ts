import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  ApiextensionsV1Api,
  type KubeConfig,
  KubernetesObjectApi,
  loadAllYaml,
  PatchStrategy,
  type V1CustomResourceDefinition,
} from '@kubernetes/client-node';
import { cloudAgentCrdName } from '../../crds/build-cloud-agent-crd.ts';
import { eventually } from './eventually.ts';

const committedCrdFile = join(import.meta.dirname, '..', '..', 'crds', `${cloudAgentCrdName}.yaml`);

/**
 * Installs the committed CRD YAML the way an admin would (`kubectl apply --server-side`) and
 * waits until the API server serves it. Idempotent, so every test file may call it.
 */
export async function applyCrds(kubeConfig: KubeConfig): Promise<V1CustomResourceDefinition> {
  // loadAllYaml turns wire names (x-kubernetes-validations) into client-node's model names;
  // a plain YAML parse would let the serializer silently drop every x-kubernetes-* key.
  const crd = loadAllYaml(readFileSync(committedCrdFile, 'utf8'))[0] as V1CustomResourceDefinition;
  const objects = KubernetesObjectApi.makeApiClient(kubeConfig);
  await objects.patch(crd, undefined, undefined, 'astromesh-cloud-tests', true, PatchStrategy.ServerSideApply);
  const extensions = kubeConfig.makeApiClient(ApiextensionsV1Api);
  return eventually(async () => {
    const current = await extensions.readCustomResourceDefinition({ name: cloudAgentCrdName });
    const established = current.status?.conditions?.find((c) => c.type === 'Established');
    if (established?.status !== 'True') throw new Error(`${cloudAgentCrdName} is not Established yet`);
    return current;
  });
}
