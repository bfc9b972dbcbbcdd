import { execFileSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';

export interface NodePki {
  caCertificate: string;
  caKey: string;
  apiserverCertificate: string;
  apiserverKey: string;
  /** What kube-apiserver shows the kubelet for `kubectl exec/logs/port-forward` (system:masters). */
  apiserverKubeletClientCertificate: string;
  apiserverKubeletClientKey: string;
  /** The kubelet's own identity, `system:node:<name>` in `system:nodes`, for the Node authorizer. */
  kubeletClientCertificate: string;
  kubeletClientKey: string;
  serviceAccountKey: string;
  serviceAccountPublicKey: string;
}

// The certificates live as long as one test run, on a tmpfs that goes with it.
const validDays = '7';

/**
 * One CA and the certificates the node's components authenticate with, made with the machine's
 * openssl (Node's crypto cannot sign certificates). P-256 keys: a fraction of RSA's cost.
 */
export function makeNodePki(params: { dir: string; nodeName: string; apiserverAddresses: string[] }): NodePki {
  const { dir, nodeName, apiserverAddresses } = params;
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const file = (name: string) => join(dir, name);
  const pki: NodePki = {
    caCertificate: file('ca.crt'),
    caKey: file('ca.key'),
    apiserverCertificate: file('apiserver.crt'),
    apiserverKey: file('apiserver.key'),
    apiserverKubeletClientCertificate: file('apiserver-kubelet-client.crt'),
    apiserverKubeletClientKey: file('apiserver-kubelet-client.key'),
    kubeletClientCertificate: file('kubelet-client.crt'),
    kubeletClientKey: file('kubelet-client.key'),
    serviceAccountKey: file('sa.key'),
    serviceAccountPublicKey: file('sa.pub'),
  };
  openssl([
    'req',
    '-x509',
    ...newKey(pki.caKey),
    '-out',
    pki.caCertificate,
    '-days',
    validDays,
    '-subj',
    '/CN=astromesh-test-node-ca',
    '-addext',
    'basicConstraints=critical,CA:TRUE',
    '-addext',
    'keyUsage=critical,keyCertSign,cRLSign',
  ]);
  const dnsNames = [
    'localhost',
    'kubernetes',
    'kubernetes.default',
    'kubernetes.default.svc',
    'kubernetes.default.svc.cluster.local',
  ];
  const subjectAltNames = [...apiserverAddresses.map((ip) => `IP:${ip}`), ...dnsNames.map((name) => `DNS:${name}`)];
  signed(pki, { key: pki.apiserverKey, certificate: pki.apiserverCertificate, subject: '/CN=kube-apiserver' }, [
    'extendedKeyUsage=serverAuth',
    `subjectAltName=${subjectAltNames.join(',')}`,
  ]);
  signed(
    pki,
    {
      key: pki.apiserverKubeletClientKey,
      certificate: pki.apiserverKubeletClientCertificate,
      subject: '/O=system:masters/CN=kube-apiserver-kubelet-client',
    },
    ['extendedKeyUsage=clientAuth'],
  );
  signed(
    pki,
    {
      key: pki.kubeletClientKey,
      certificate: pki.kubeletClientCertificate,
      subject: `/O=system:nodes/CN=system:node:${nodeName}`,
    },
    ['extendedKeyUsage=clientAuth'],
  );
  // The service-account signing key must be RSA or ECDSA; ECDSA again.
  openssl(['genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256', '-out', pki.serviceAccountKey]);
  openssl(['pkey', '-in', pki.serviceAccountKey, '-pubout', '-out', pki.serviceAccountPublicKey]);
  return pki;
}

function signed(pki: NodePki, leaf: { key: string; certificate: string; subject: string }, extensions: string[]): void {
  openssl([
    'req',
    '-x509',
    ...newKey(leaf.key),
    '-CA',
    pki.caCertificate,
    '-CAkey',
    pki.caKey,
    '-out',
    leaf.certificate,
    '-days',
    validDays,
    '-subj',
    leaf.subject,
    '-addext',
    'basicConstraints=critical,CA:FALSE',
    '-addext',
    'keyUsage=critical,digitalSignature,keyEncipherment',
    ...extensions.flatMap((extension) => ['-addext', extension]),
  ]);
}

function newKey(keyFile: string): string[] {
  return ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', keyFile];
}

function openssl(args: string[]): void {
  execFileSync('openssl', args, { stdio: ['ignore', 'ignore', 'pipe'] });
}
