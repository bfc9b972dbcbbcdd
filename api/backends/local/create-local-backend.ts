import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { dump } from 'js-yaml';
import type { Logger } from 'pino';
import type { DeployBackend, OrgDeployment, RuntimeEndpoint } from '../deploy-backend.ts';
import { type OrgRuntimeProcess, startOrgRuntime } from './org-runtime-process.ts';

export interface LocalBackendOptions {
  /**
   * Each org gets `<stateDir>/orgs/<slug>/` with its agents, credentials, runtime token and
   * `data/`, its runtime's --data-dir: no org's files (sqlite memory, vectors) sit beside another's.
   */
  stateDir: string;
  /** PostgreSQL for conversation memory; each org's runtime keeps it in its own schema. */
  memoryUrl: string | undefined;
  log: Logger;
  /** Node binary and runtime entry point; defaults run this repository's runtime on this Node. */
  nodePath?: string;
  runtimeEntry?: string;
  /** Where the runtimes' PATH and HOME come from (default: this process's environment). */
  env?: NodeJS.ProcessEnv;
}

/**
 * The embedded default backend: one astromeshd process per org with deployed agents, on
 * loopback, fed through files it watches (agents directory, credentials file) and requiring a
 * per-org token. An org with nothing deployed has no process. A runtime that dies is restarted
 * with backoff by its supervisor.
 */
export function createLocalBackend(options: LocalBackendOptions): DeployBackend {
  const runtimes = new Map<string, OrgRuntimeProcess>();
  // Read once per org: endpointOf runs on every request, and the token only changes with its file.
  const tokens = new Map<string, string>();
  const orgDir = (slug: string) => join(options.stateDir, 'orgs', slug);

  return {
    async applyOrg(deployment: OrgDeployment): Promise<void> {
      const dir = orgDir(deployment.orgSlug);
      if (deployment.agents.length === 0) {
        await runtimes.get(deployment.orgSlug)?.stop();
        runtimes.delete(deployment.orgSlug);
        // Nothing runs, so nothing needs the org's keys on disk: a key deleted now must not linger.
        if (existsSync(dir)) {
          writeAgentFiles(join(dir, 'agents'), []);
          rmSync(join(dir, 'credentials.yaml'), { force: true });
        }
        return;
      }
      mkdirSync(join(dir, 'agents'), { recursive: true, mode: 0o700 });
      mkdirSync(join(dir, 'data'), { recursive: true, mode: 0o700 });
      writeAtomically(join(dir, 'credentials.yaml'), dump(deployment.credentials));
      const tokenFile = join(dir, 'runtime-token');
      if (!existsSync(tokenFile)) writeAtomically(tokenFile, randomBytes(32).toString('base64url'));
      tokens.set(deployment.orgSlug, readFileSync(tokenFile, 'utf8').trim());
      writeAgentFiles(
        join(dir, 'agents'),
        deployment.agents.map((agent) => ({
          fileName: `${agent.metadata.name}.yaml`,
          yaml: dump(agent, { lineWidth: -1 }),
        })),
      );

      let runtime = runtimes.get(deployment.orgSlug);
      if (!runtime) {
        runtime = startOrgRuntime({
          orgSlug: deployment.orgSlug,
          agentsDir: join(dir, 'agents'),
          credentialsFile: join(dir, 'credentials.yaml'),
          tokenFile,
          dataDir: join(dir, 'data'),
          memoryUrl: options.memoryUrl,
          log: options.log.child({ org: deployment.orgSlug }),
          nodePath: options.nodePath,
          runtimeEntry: options.runtimeEntry,
          env: options.env,
        });
        runtimes.set(deployment.orgSlug, runtime);
      }
      const served = await runtime.reload();
      const wanted = deployment.agents.map((agent) => agent.metadata.name).sort();
      const problems = wanted
        .map((name) => served.find((agent) => agent.name === name) ?? { name, status: 'missing', error: 'not loaded' })
        .filter((agent) => agent.status !== 'ready');
      if (problems.length > 0) {
        throw new Error(problems.map((agent) => `${agent.name}: ${agent.error ?? agent.status}`).join('; '));
      }
    },

    async endpointOf(orgSlug: string): Promise<RuntimeEndpoint | undefined> {
      const runtime = runtimes.get(orgSlug);
      if (!runtime) return undefined;
      const token = tokens.get(orgSlug);
      if (!token) return undefined;
      return { baseUrl: await runtime.baseUrl(), token };
    },

    async close(): Promise<void> {
      await Promise.all([...runtimes.values()].map((runtime) => runtime.stop()));
      runtimes.clear();
    },
  };
}

/** Makes the directory hold exactly these agent files; each write is atomic (temp file, rename). */
function writeAgentFiles(dir: string, files: { fileName: string; yaml: string }[]): void {
  const wanted = new Set(files.map((file) => file.fileName));
  for (const existing of readdirSync(dir)) {
    if (existing.endsWith('.yaml') && !wanted.has(existing)) rmSync(join(dir, existing), { force: true });
  }
  for (const file of files) {
    const path = join(dir, file.fileName);
    if (existsSync(path) && readFileSync(path, 'utf8') === file.yaml) continue;
    writeAtomically(path, file.yaml);
  }
}

function writeAtomically(path: string, content: string): void {
  // A dot name: the runtime's directory scan skips hidden files, so it never reads half a file.
  const dir = path.slice(0, path.lastIndexOf('/'));
  const temp = join(dir, `.${randomBytes(6).toString('hex')}.tmp`);
  writeFileSync(temp, content, { mode: 0o600 });
  renameSync(temp, path);
}
