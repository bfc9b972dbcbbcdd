import { dump } from 'js-yaml';
import { buildCloudAgentCrd, cloudAgentCrdName } from './build-cloud-agent-crd.ts';

const header = '# Generated from crds/cloud-agent.ts by `npm run crds`. Do not edit by hand.\n';

/** Every CRD we ship, keyed by the file name it is committed under in crds/. */
export function renderCrds(): Map<string, string> {
  const yaml = dump(buildCloudAgentCrd(), { lineWidth: -1, noRefs: true });
  return new Map([[`${cloudAgentCrdName}.yaml`, header + yaml]]);
}
