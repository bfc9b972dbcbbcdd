import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { dump } from 'js-yaml';
import type { Logger } from 'pino';
import type { DeployBackend, OrgDeployment, OrgSleep, RuntimeEndpoint } from '../deploy-backend.ts';
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
  /**
   * Node's compile cache of the runtimes; `<stateDir>/compile-cache` by default. The tests start
   * hundreds of APIs, each on a state directory of its own, and pass one shared directory, so that
   * only the first runtime of a run compiles its modules cold.
   */
  compileCacheDir?: string;
}

/**
 * The embedded default backend: one astromeshd process per org with deployed agents, on
 * loopback, fed through files it watches (agents directory, credentials file) and requiring a
 * per-org token. An org with nothing deployed has no process, nor has an org put to sleep (its
 * files stay, and the next call starts its runtime again). A runtime that dies is restarted with
 * backoff by its supervisor.
 */
export function createLocalBackend(options: LocalBackendOptions): DeployBackend {
  const runtimes = new Map<string, OrgRuntimeProcess>();
  // Read once per org: endpointOf runs on every request, and the token only changes with its file.
  const tokens = new Map<string, string>();
  // Orgs put to sleep, with the stop of their runtime: a wake waits for it, so two runtimes of one
  // org never share its data directory.
  const sleeping = new Map<string, Promise<void>>();
  // A change being applied, or applied after a sweep's idle cutoff, is activity: a runtime that is
  // starting or reloading for a deploy is never stopped under it.
  const applying = new Map<string, number>();
  const appliedAtMs = new Map<string, number>();
  const orgDir = (slug: string) => join(options.stateDir, 'orgs', slug);

  /** Starts the org's runtime on the files its last deployment wrote; at most one per org. */
  function runtimeOf(orgSlug: string): OrgRuntimeProcess {
    const running = runtimes.get(orgSlug);
    if (running) return running;
    const dir = orgDir(orgSlug);
    const runtime = startOrgRuntime({
      orgSlug,
      agentsDir: join(dir, 'agents'),
      credentialsFile: join(dir, 'credentials.yaml'),
      tokenFile: join(dir, 'runtime-token'),
      dataDir: join(dir, 'data'),
      memoryUrl: options.memoryUrl,
      log: options.log.child({ org: orgSlug }),
      nodePath: options.nodePath,
      runtimeEntry: options.runtimeEntry,
      env: options.env,
      compileCacheDir: options.compileCacheDir ?? join(options.stateDir, 'compile-cache'),
    });
    runtimes.set(orgSlug, runtime);
    return runtime;
  }

  /** The runtime of an org put to sleep, started again once its old one has stopped. */
  async function wake(orgSlug: string, stopped: Promise<void>): Promise<OrgRuntimeProcess> {
    await stopped;
    // Whoever woke it first started it; the others wait on the same one.
    if (sleeping.get(orgSlug) === stopped) sleeping.delete(orgSlug);
    return runtimeOf(orgSlug);
  }

  const sleep: OrgSleep = {
    awakeOrgs: async () => [...runtimes.keys()],
    // One process serves every call: nobody else could have seen the org called.
    async sleepIfIdleSince(orgSlug: string, idleSince: Date): Promise<boolean> {
      const runtime = runtimes.get(orgSlug);
      if (!runtime) return sleeping.has(orgSlug);
      if (applying.has(orgSlug) || (appliedAtMs.get(orgSlug) ?? 0) > idleSince.getTime()) return false;
      // Out of the map before the first await: a call from now on wakes the org.
      runtimes.delete(orgSlug);
      const stopped = runtime.stop();
      sleeping.set(orgSlug, stopped);
      await stopped;
      return true;
    },
    noteActive: async () => undefined,
  };

  async function applyOrg(deployment: OrgDeployment): Promise<void> {
    const { orgSlug } = deployment;
    applying.set(orgSlug, (applying.get(orgSlug) ?? 0) + 1);
    try {
      await applyFiles(deployment);
    } finally {
      const left = (applying.get(orgSlug) ?? 1) - 1;
      if (left > 0) applying.set(orgSlug, left);
      else applying.delete(orgSlug);
      appliedAtMs.set(orgSlug, Date.now());
    }
  }

  async function applyFiles(deployment: OrgDeployment): Promise<void> {
    const dir = orgDir(deployment.orgSlug);
    const stopping = sleeping.get(deployment.orgSlug);
    sleeping.delete(deployment.orgSlug);
    await stopping;
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

    // A change to a sleeping org wakes it: its agents are loaded, and shown to load, now.
    const served = await runtimeOf(deployment.orgSlug).reload();
    const wanted = deployment.agents.map((agent) => agent.metadata.name).sort();
    const problems = wanted
      .map((name) => served.find((agent) => agent.name === name) ?? { name, status: 'missing', error: 'not loaded' })
      .filter((agent) => agent.status !== 'ready');
    if (problems.length > 0) {
      throw new Error(problems.map((agent) => `${agent.name}: ${agent.error ?? agent.status}`).join('; '));
    }
  }

  return {
    applyOrg,

    async endpointOf(orgSlug: string): Promise<RuntimeEndpoint | undefined> {
      const stopped = sleeping.get(orgSlug);
      const runtime = stopped ? await wake(orgSlug, stopped) : runtimes.get(orgSlug);
      if (!runtime) return undefined;
      const token = tokens.get(orgSlug);
      if (!token) return undefined;
      // A woken runtime is waited for here: it listens once its agents are loaded.
      return { baseUrl: await runtime.baseUrl(), token };
    },

    sleep,

    async close(): Promise<void> {
      await Promise.all([...runtimes.values()].map((runtime) => runtime.stop()));
      await Promise.all(sleeping.values());
      runtimes.clear();
      sleeping.clear();
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
