import { CoreV1Api } from '@kubernetes/client-node';
import { orgNamespaceOf, orgSecretName } from '../../crds/org-runtime-names.ts';
import type { AttachedNode } from './attach-real-node.ts';
import { release } from './install-astromesh.ts';

/**
 * Runs `sql` on the bundled PostgreSQL as the org's own memory role (the credentials the
 * operator hands its runtime, from the org's Secret), with psql inside the PostgreSQL pod.
 * Resolves with psql's unaligned output; rejects with psql's error, e.g. a permission denied.
 */
export async function memoryQuery(node: AttachedNode, org: string, sql: string, database?: string): Promise<string> {
  const secret = await node.admin
    .makeApiClient(CoreV1Api)
    .readNamespacedSecret({ namespace: orgNamespaceOf(org), name: orgSecretName });
  const encoded = secret.data?.['memory-url'];
  if (!encoded) throw new Error(`the Secret of org ${org} has no memory-url`);
  const url = new URL(Buffer.from(encoded, 'base64').toString('utf8'));
  const output = await node.kubectl([
    'exec',
    '--namespace',
    release.namespace,
    `${release.postgresqlStatefulSet}-0`,
    '--',
    'env',
    `PGPASSWORD=${decodeURIComponent(url.password)}`,
    'psql',
    '--host=127.0.0.1',
    `--username=${decodeURIComponent(url.username)}`,
    `--dbname=${database ?? url.pathname.slice(1)}`,
    '--no-align',
    '--tuples-only',
    '--set=ON_ERROR_STOP=1',
    `--command=${sql}`,
  ]);
  return output.trim();
}
