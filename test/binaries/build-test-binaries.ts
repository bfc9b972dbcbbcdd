// Builds the real Kubernetes control plane (kube-apiserver, kube-controller-manager, etcd), the
// real node's programs (kubelet, kube-scheduler, kube-proxy, CoreDNS, kube-router, gVisor when it
// builds) and helm that the tests run, from the Go module proxy, into a cache outside the work
// tree, and installs the fuzz suites' schemathesis and the vector stores' servers (PostgreSQL with
// pgvector, Chroma) from PyPI there. Runs before every `npm test` and returns at once when
// everything is cached.
//
//   node test/binaries/build-test-binaries.ts                    build what is missing
//   node test/binaries/build-test-binaries.ts --update-module v1.34.12
//                                                                re-pin go.mod to a Kubernetes release
//
// `go install k8s.io/kubernetes/cmd/kube-apiserver@…` cannot work: k8s.io/kubernetes replaces
// its k8s.io/* staging modules with ./staging paths. The wrapper module next to this file
// replaces each of them with its published v0.x.y instead. The list is derived from the
// downloaded k8s.io/kubernetes go.mod, and checked on every run, never typed by hand.
import { execFile, spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs, promisify } from 'node:util';
import { installSchemathesis } from './install-schemathesis.ts';
import {
  chromaVersion,
  installChroma,
  installPgvectorPostgres,
  pgserverVersion,
} from './install-vector-store-servers.ts';
import { locateSchemathesis } from './locate-schemathesis.ts';
import {
  buildGvisorVariable,
  gvisorUnavailableFile,
  gvisorVersion,
  helmVersion,
  kubeRouterVersion,
  locateTestBinaries,
  type TestBinaries,
} from './locate-test-binaries.ts';

const moduleDir = import.meta.dirname;
const corednsModuleDir = join(moduleDir, 'coredns');
const run = promisify(execFile);
const progressIntervalMs = 15_000;

// The checksum database our machines reach has no record of some recent k8s.io/kubernetes
// tags, so that one module is trusted from the proxy when go.mod is re-pinned. Its hash is then
// committed in go.sum, which every later build verifies.
const goEnv = { ...process.env, GONOSUMDB: 'k8s.io/kubernetes', GOFLAGS: '-mod=readonly' };

interface ModuleInfo {
  Version: string;
  GoMod: string;
  Origin?: { Hash?: string };
  Error?: string;
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { 'update-module': { type: 'string' } } });
  if (values['update-module']) {
    await updateWrapperModule(values['update-module']);
  }
  const binaries = locateTestBinaries();
  const kubernetes = await downloadModule('k8s.io/kubernetes');
  await checkStagingReplacements(kubernetes);
  await buildKubernetes(binaries, kubernetes);
  await buildHelm(binaries);
  await buildCoredns(binaries);
  await buildKubeRouter(binaries);
  const gvisor = await buildGvisor(binaries);
  await installSchemathesis(log);
  // The RAG vector stores' servers (pgvector, Chroma), from PyPI.
  await installPgvectorPostgres(log);
  await installChroma(log);
  log(
    `test binaries ready: Kubernetes ${binaries.kubernetesVersion}, etcd ${binaries.etcdVersion}, helm ${helmVersion}, CoreDNS ${binaries.corednsVersion}, kube-router ${kubeRouterVersion}, ${gvisor}, schemathesis ${locateSchemathesis().version}, PostgreSQL+pgvector (pgserver ${pgserverVersion}), Chroma ${chromaVersion}`,
  );
}

async function buildKubernetes(binaries: TestBinaries, kubernetes: ModuleInfo): Promise<void> {
  const [major = '', minor = ''] = binaries.kubernetesVersion.slice(1).split('.');
  // Without these the binaries report v0.0.0-master, and tools that check the server version
  // (helm's kubeVersion, client capability checks) misbehave.
  const versionFlags = [
    `gitVersion=${binaries.kubernetesVersion}`,
    `gitMajor=${major}`,
    `gitMinor=${minor}`,
    `gitCommit=${kubernetes.Origin?.Hash ?? ''}`,
    'gitTreeState=clean',
  ].map((flag) => `-X k8s.io/component-base/version.${flag}`);
  const kubernetesLdflags = `-s -w ${versionFlags.join(' ')}`;
  const programs = [
    { name: 'kube-apiserver', path: binaries.kubeApiserver, ldflags: kubernetesLdflags },
    { name: 'kube-controller-manager', path: binaries.kubeControllerManager, ldflags: kubernetesLdflags },
    // What operators run against CloudAgents: tests check its table and describe output.
    { name: 'kubectl', path: binaries.kubectl, ldflags: kubernetesLdflags },
    { name: 'etcd', path: binaries.etcd, ldflags: '-s -w', goPackage: 'go.etcd.io/etcd/server/v3' },
    // The real node's programs (test/node/): pods on containerd, scheduling, Service VIPs.
    { name: 'kubelet', path: binaries.kubelet, ldflags: kubernetesLdflags },
    { name: 'kube-scheduler', path: binaries.kubeScheduler, ldflags: kubernetesLdflags },
    { name: 'kube-proxy', path: binaries.kubeProxy, ldflags: kubernetesLdflags },
  ];
  // Each program is cached on its own, so a cache made before a program joined the list gains
  // just that program instead of a full rebuild.
  const missing = programs.filter((program) => !existsSync(program.path));
  if (missing.length === 0) return;
  log(
    `building ${missing.map((program) => program.name).join(', ')} (Kubernetes ${binaries.kubernetesVersion}, etcd ${binaries.etcdVersion}) into ${binaries.kubeDir} (a few minutes on 2 cores)`,
  );
  mkdirSync(binaries.kubeDir, { recursive: true });
  for (const program of missing) {
    const goPackage = program.goPackage ?? `k8s.io/kubernetes/cmd/${program.name}`;
    await intoCacheFile(program.path, (file) =>
      go(['build', '-v', '-trimpath', `-ldflags=${program.ldflags}`, '-o', file, goPackage], program.name),
    );
  }
}

async function buildHelm(binaries: TestBinaries): Promise<void> {
  if (existsSync(binaries.helm)) return;
  log(`building helm ${helmVersion} into ${binaries.helmDir} (about 1 min)`);
  await intoCacheDir(binaries.helmDir, (dir) =>
    go(
      [
        'install',
        '-v',
        '-trimpath',
        `-ldflags=-s -w -X helm.sh/helm/v3/internal/version.version=${helmVersion}`,
        `helm.sh/helm/v3/cmd/helm@${helmVersion}`,
      ],
      'helm',
      { GOBIN: dir, GOFLAGS: '' },
    ),
  );
}

/**
 * CoreDNS from our own main (coredns/main.go): the cluster DNS plugins only, a third of the full
 * command's build. Its own module, so CoreDNS's client-go never moves the kube binaries'.
 */
async function buildCoredns(binaries: TestBinaries): Promise<void> {
  if (existsSync(binaries.coredns)) return;
  log(`building CoreDNS ${binaries.corednsVersion} into ${binaries.corednsDir} (about 2 min)`);
  mkdirSync(binaries.corednsDir, { recursive: true });
  await intoCacheFile(binaries.coredns, (file) =>
    go(['build', '-v', '-trimpath', '-ldflags=-s -w', '-o', file, '.'], 'coredns', {}, corednsModuleDir),
  );
}

/** The real node's NetworkPolicy engine; the node runs only its firewall. */
async function buildKubeRouter(binaries: TestBinaries): Promise<void> {
  if (existsSync(binaries.kubeRouter)) return;
  log(`building kube-router ${kubeRouterVersion} into ${binaries.kubeRouterDir} (about 5 min)`);
  await intoCacheDir(binaries.kubeRouterDir, (dir) =>
    go(
      [
        'install',
        '-v',
        '-trimpath',
        `-ldflags=-s -w -X github.com/cloudnativelabs/kube-router/v2/pkg/version.Version=${kubeRouterVersion}`,
        `github.com/cloudnativelabs/kube-router/v2/cmd/kube-router@${kubeRouterVersion}`,
      ],
      'kube-router',
      { GOBIN: dir, GOFLAGS: '' },
    ),
  );
}

/**
 * gVisor's runsc and containerd shim, for a sandboxed RuntimeClass. Built only with
 * ASTROMESH_BUILD_GVISOR=1: its shim cannot run under Debian bookworm's containerd 1.6, which the
 * real node uses, so on these machines the build (about 4 min cold) would buy nothing in CI.
 * Where it cannot build or run, the reason is recorded next to the cache folder; either way every
 * run says loudly why the node keeps runc. Returns what the summary line says of it.
 */
async function buildGvisor(binaries: TestBinaries): Promise<string> {
  const unavailable = gvisorUnavailableFile(binaries.gvisorDir);
  const asRoot = process.getuid?.() === 0;
  const wanted = process.env[buildGvisorVariable] === '1';
  if (wanted && asRoot && !existsSync(binaries.gvisorDir) && !existsSync(unavailable)) {
    log(`building gVisor ${gvisorVersion} (runsc, containerd-shim-runsc-v1) into ${binaries.gvisorDir} (about 4 min)`);
    try {
      await intoCacheDir(binaries.gvisorDir, async (dir) => {
        await buildGvisorInto(dir);
        await checkRunscRuns(join(dir, 'runsc'));
      });
    } catch (err) {
      writeFileSync(unavailable, `${errorMessage(err)}\n`);
    }
  }
  const { gvisorUnavailableReason } = locateTestBinaries();
  if (gvisorUnavailableReason === undefined) return `gVisor ${gvisorVersion}`;
  log('!'.repeat(100));
  log(`gVisor unavailable: ${gvisorUnavailableReason}`);
  if (existsSync(unavailable)) log(`(the node keeps runc for every pod; delete ${unavailable} to try again)`);
  log('!'.repeat(100));
  return 'gVisor UNAVAILABLE';
}

async function buildGvisorInto(dir: string): Promise<void> {
  const install = (path: string) => `gvisor.dev/gvisor/${path}@${gvisorVersion}`;
  try {
    await go(
      [
        'install',
        '-v',
        '-trimpath',
        `-ldflags=-s -w -X gvisor.dev/gvisor/runsc/version.version=${gvisorVersion}`,
        install('runsc'),
        install('shim'),
      ],
      'gvisor',
      { GOBIN: dir, GOFLAGS: '', CGO_ENABLED: '0' },
    );
  } catch (err) {
    throw new Error(`cannot build gVisor ${gvisorVersion}: ${errorMessage(err)}`);
  }
  // containerd finds a runtime's shim on PATH by this name (runtime_type io.containerd.runsc.v1).
  renameSync(join(dir, 'shim'), join(dir, 'containerd-shim-runsc-v1'));
}

/**
 * A sandbox that cannot start here (no usable platform, seccomp or namespaces refused) would
 * otherwise surface as a pod stuck in ContainerCreating; one `runsc do` says it up front. The
 * platform is runsc's default, systrap, which needs no KVM.
 */
async function checkRunscRuns(runsc: string): Promise<void> {
  try {
    await run(runsc, ['--rootless=false', '--network=none', 'do', '/bin/true'], { timeout: 60_000 });
  } catch (err) {
    const stderr = (err as { stderr?: string }).stderr?.trim();
    throw new Error(
      `gVisor ${gvisorVersion} built, but \`runsc --rootless=false --network=none do /bin/true\` fails here: ${stderr || errorMessage(err)}`,
    );
  }
}

/** Builds into a scratch file and renames it into place, so an interrupted build never looks cached. */
async function intoCacheFile(finalFile: string, build: (file: string) => Promise<void>): Promise<void> {
  const scratch = `${finalFile}.partial-${process.pid}`;
  try {
    await build(scratch);
    renameSync(scratch, finalFile);
  } finally {
    rmSync(scratch, { force: true });
  }
}

/** Builds into a scratch folder and renames it into place, so an interrupted build never looks cached. */
async function intoCacheDir(finalDir: string, build: (dir: string) => Promise<void>): Promise<void> {
  const scratch = `${finalDir}.partial-${process.pid}`;
  mkdirSync(scratch, { recursive: true });
  try {
    await build(scratch);
    rmSync(finalDir, { recursive: true, force: true });
    renameSync(scratch, finalDir);
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}

async function checkStagingReplacements(kubernetes: ModuleInfo): Promise<void> {
  const wanted = stagingModules(readFileSync(kubernetes.GoMod, 'utf8'));
  const stagingVersion = `v0.${kubernetes.Version.slice(3)}`;
  const replaced = await currentReplacements();
  const problems = wanted
    .filter((path) => replaced.get(path) !== stagingVersion)
    .map((path) => `${path} should be replaced by ${path}@${stagingVersion}`);
  for (const path of replaced.keys()) {
    if (!wanted.includes(path))
      problems.push(`${path} is replaced but is not a staging module of ${kubernetes.Version}`);
  }
  if (problems.length > 0) {
    throw new Error(
      `test/binaries/go.mod is out of step with k8s.io/kubernetes ${kubernetes.Version}:\n  ${problems.join('\n  ')}\n` +
        `Run: node test/binaries/build-test-binaries.ts --update-module ${kubernetes.Version}`,
    );
  }
}

/** Re-pins the wrapper module to a Kubernetes release and the etcd that release pins. */
async function updateWrapperModule(kubernetesVersion: string): Promise<void> {
  log(`pinning test/binaries/go.mod to k8s.io/kubernetes ${kubernetesVersion}`);
  const updateEnv = { GOFLAGS: '-mod=mod' };
  const kubernetes = await downloadModule(`k8s.io/kubernetes@${kubernetesVersion}`, updateEnv);
  const kubernetesGoMod = readFileSync(kubernetes.GoMod, 'utf8');
  const etcdVersion = /go\.etcd\.io\/etcd\/server\/v3 (v\S+)/.exec(kubernetesGoMod)?.[1];
  if (!etcdVersion) throw new Error(`k8s.io/kubernetes ${kubernetesVersion} does not pin go.etcd.io/etcd/server/v3`);
  const stagingVersion = `v0.${kubernetesVersion.slice(3)}`;
  const edits = [...(await currentReplacements()).keys()].map((path) => `-dropreplace=${path}`);
  edits.push(`-require=k8s.io/kubernetes@${kubernetesVersion}`, `-require=go.etcd.io/etcd/server/v3@${etcdVersion}`);
  for (const path of stagingModules(kubernetesGoMod)) edits.push(`-replace=${path}=${path}@${stagingVersion}`);
  await go(['mod', 'edit', ...edits], 'go mod edit', updateEnv);
  await go(['mod', 'tidy'], 'go mod tidy', updateEnv);
}

function stagingModules(kubernetesGoMod: string): string[] {
  return [...kubernetesGoMod.matchAll(/^\s*(\S+)\s+=>\s+\.\/staging\//gm)].map((match) => match[1] as string);
}

async function currentReplacements(): Promise<Map<string, string | undefined>> {
  const goMod = JSON.parse(await goOutput(['mod', 'edit', '-json'])) as {
    Replace?: { Old: { Path: string }; New: { Path: string; Version?: string } }[];
  };
  return new Map((goMod.Replace ?? []).map((r) => [r.Old.Path, r.New.Version]));
}

async function downloadModule(module: string, env: NodeJS.ProcessEnv = {}): Promise<ModuleInfo> {
  const info = JSON.parse(await goOutput(['mod', 'download', '-json', module], env)) as ModuleInfo;
  if (info.Error) throw new Error(`go mod download ${module}: ${info.Error}`);
  return info;
}

function goOutput(args: string[], env: NodeJS.ProcessEnv = {}): Promise<string> {
  return runGo(args, env, { collect: true });
}

async function go(args: string[], label: string, env: NodeJS.ProcessEnv = {}, cwd = moduleDir): Promise<void> {
  await runGo(args, env, { collect: false, label, cwd });
}

function runGo(
  args: string[],
  env: NodeJS.ProcessEnv,
  options: { collect: boolean; label?: string; cwd?: string },
): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn('go', args, { cwd: options.cwd ?? moduleDir, env: { ...goEnv, ...env } });
    let stdout = '';
    let stderr = '';
    let packages = 0;
    let downloads = 0;
    const startedAt = Date.now();
    const progress = options.label
      ? setInterval(() => {
          const seconds = Math.round((Date.now() - startedAt) / 1000);
          log(`${options.label}: ${downloads} modules downloaded, ${packages} packages compiled (${seconds}s)`);
        }, progressIntervalMs)
      : undefined;
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
    });
    child.stderr.on('data', (chunk: Buffer) => {
      const text = chunk.toString();
      stderr += text;
      for (const line of text.split('\n')) {
        if (line.startsWith('go: downloading')) downloads++;
        else if (line.trim() !== '') packages++;
      }
    });
    child.on('error', (err) => {
      clearInterval(progress);
      reject(new Error(`cannot run go (${err.message}); Go 1.26 or newer must be on PATH to build the test binaries`));
    });
    child.on('close', (code) => {
      clearInterval(progress);
      if (code === 0) resolve(stdout);
      else reject(new Error(`go ${args.join(' ')} failed with exit code ${code}:\n${lastLines(stderr, 40)}`));
    });
  });
}

function lastLines(text: string, count: number): string {
  return text.trimEnd().split('\n').slice(-count).join('\n');
}

function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

function log(message: string): void {
  process.stdout.write(`[test-binaries] ${message}\n`);
}

main().catch((err: unknown) => {
  process.stderr.write(
    `\n[test-binaries] FAILED: the Kubernetes and fuzz test suites cannot run without these tools.\n${err instanceof Error ? err.message : String(err)}\n\n`,
  );
  process.exitCode = 1;
});
