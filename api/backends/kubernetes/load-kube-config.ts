import { KubeConfig } from '@kubernetes/client-node';

/**
 * The API's Kubernetes credentials: the kubeconfig file named by ASTROMESH_KUBECONFIG, else its
 * pod's service account (in cluster), else what kubectl would use (KUBECONFIG, ~/.kube/config).
 */
export function loadKubeConfig(input: { kubeconfigPath: string | undefined }): KubeConfig {
  const kubeConfig = new KubeConfig();
  if (input.kubeconfigPath) kubeConfig.loadFromFile(input.kubeconfigPath);
  else if (process.env.KUBERNETES_SERVICE_HOST) kubeConfig.loadFromCluster();
  else kubeConfig.loadFromDefault();
  return kubeConfig;
}
