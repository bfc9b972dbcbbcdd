import { createHash } from 'node:crypto';
import type { V1Secret } from '@kubernetes/client-node';
import { CloudAgentSpec } from '../../crds/cloud-agent.ts';
import { orgSecretKeys, orgSecretName } from '../../crds/org-runtime-names.ts';
import { findAgentValueProblem } from '../../runtime/config/find-agent-value-problem.ts';
import { checkAgentDocument, formatPath } from '../../runtime/config/load-agent-file.ts';
import { agentFileIssues } from './agent-file-issues.ts';
import type { Acceptance, CloudAgent, SecretState } from './cloud-agent-status.ts';

/**
 * Whether the runtime can serve a CloudAgent, checked as the runtime itself would check it. A
 * CloudAgent applied by hand passes the CRD's schema yet may still be wrong (a template that does
 * not parse, another org's slug, free-form tool config nested thousands deep or holding NULs, an
 * object stored before the CRD had today's bounds): it gets a condition that says what to fix,
 * never a crash loop, and the org's other agents are served all the same.
 */
export function acceptCloudAgent(agent: CloudAgent, namespaceOrg: string | undefined): Acceptance {
  const namespace = agent.metadata?.namespace ?? '';
  if (namespaceOrg === undefined) {
    return {
      accepted: false,
      reason: 'NotAnOrgNamespace',
      message: `namespace ${namespace} is not an Astromesh org namespace (no astromesh.io/org label): CloudAgents live in their org's namespace`,
    };
  }
  // Before the schema or anything recursive reads the spec. Level 0, so `spec.agent` is bounded
  // exactly as the runtime bounds an agent file.
  const problem = findAgentValueProblem(agent.spec, { rootDepth: 0 });
  if (problem) return { accepted: false, reason: 'InvalidSpec', message: issuesMessage([problem], ['spec']) };
  const parsed = CloudAgentSpec.safeParse(agent.spec);
  if (!parsed.success) {
    return { accepted: false, reason: 'InvalidSpec', message: issuesMessage(parsed.error.issues, ['spec']) };
  }
  const spec = parsed.data;
  if (spec.orgSlug !== namespaceOrg) {
    return {
      accepted: false,
      reason: 'OrgMismatch',
      message: `spec.orgSlug is ${spec.orgSlug} but namespace ${namespace} belongs to org ${namespaceOrg}`,
    };
  }
  const checked = checkAgentDocument(spec.agent);
  if (!checked.agent) {
    return { accepted: false, reason: 'InvalidSpec', message: issuesMessage(checked.issues, ['spec', 'agent']) };
  }
  const fileIssues = agentFileIssues(spec.agent);
  if (fileIssues.length > 0) {
    return { accepted: false, reason: 'InvalidSpec', message: issuesMessage(fileIssues, ['spec', 'agent']) };
  }
  return { accepted: true, spec };
}

function issuesMessage(issues: { path: PropertyKey[]; message: string }[], prefix: string[]): string {
  return issues
    .slice(0, 10)
    .map(
      (issue) =>
        `${formatPath([...prefix, ...issue.path.map((key) => (typeof key === 'symbol' ? String(key) : key))])}: ${issue.message}`,
    )
    .join('; ');
}

/** The org Secret as the runtime needs it: the API writes it before it applies any CloudAgent. */
export function secretStateOf(secret: V1Secret | undefined, namespace: string): SecretState {
  if (!secret) {
    return { ready: false, reason: 'SecretMissing', message: `Secret ${orgSecretName} not found in ${namespace}` };
  }
  const missing = [orgSecretKeys.credentials, orgSecretKeys.runtimeToken].filter((key) => !secret.data?.[key]);
  if (missing.length > 0) {
    return {
      ready: false,
      reason: 'SecretIncomplete',
      message: `Secret ${orgSecretName} in ${namespace} lacks ${missing.join(', ')}`,
    };
  }
  return { ready: true };
}

/** Changes when any key of the Secret changes: part of the runtime's config hash, so pods roll. */
export function secretDigestOf(secret: V1Secret | undefined): string | undefined {
  if (!secret) return undefined;
  const entries = Object.entries(secret.data ?? {}).sort(([a], [b]) => a.localeCompare(b));
  return createHash('sha256').update(JSON.stringify(entries)).digest('hex');
}
