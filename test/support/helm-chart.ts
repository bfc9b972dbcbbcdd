import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { KubernetesObject } from '@kubernetes/client-node';
import { loadAll } from 'js-yaml';
import { locateTestBinaries } from '../binaries/locate-test-binaries.ts';

const run = promisify(execFile);

export const chartDir = join(import.meta.dirname, '..', '..', 'charts', 'astromesh-cloud');

/** Chart values as they would appear in a values file. */
export type ChartValues = Record<string, unknown>;

/** A rendered object in its wire format (no client-node model names), with whatever it holds. */
export type RenderedObject = KubernetesObject & Record<string, unknown>;

// One scratch folder per test file: values files, and helm's own cache, config and data homes,
// so helm never reads or writes the user's ~/.config/helm or ~/.cache/helm.
let scratchDir: string | undefined;
function scratch(): string {
  if (!scratchDir) {
    const dir = mkdtempSync(join(tmpdir(), 'astromesh-helm-'));
    for (const home of ['cache', 'config', 'data']) mkdirSync(join(dir, home));
    process.once('exit', () => rmSync(dir, { recursive: true, force: true }));
    scratchDir = dir;
  }
  return scratchDir;
}

/** A release name no other test uses: cluster-scoped objects (ClusterRoles) carry it. */
export function uniqueReleaseName(prefix = 'chart'): string {
  return `${prefix}-${randomBytes(4).toString('hex')}`;
}

/** A values file with `values` (JSON is YAML), for `-f`. */
export function writeValuesFile(values: ChartValues): string {
  const file = join(scratch(), `values-${randomBytes(4).toString('hex')}.json`);
  writeFileSync(file, JSON.stringify(values));
  return file;
}

export class HelmFailed extends Error {
  override name = 'HelmFailed';
  readonly stderr: string;
  constructor(args: string[], stderr: string) {
    super(`helm ${args.join(' ')} failed:\n${stderr}`);
    this.stderr = stderr;
  }
}

/**
 * Runs the cached helm binary. `kubeconfigPath` points it at a cluster (install, upgrade,
 * uninstall); without one it only renders. Rejects with HelmFailed, carrying helm's stderr.
 */
export async function runHelm(
  args: string[],
  options: { kubeconfigPath?: string } = {},
): Promise<{ stdout: string; stderr: string }> {
  const dir = scratch();
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    HOME: dir,
    HELM_CACHE_HOME: join(dir, 'cache'),
    HELM_CONFIG_HOME: join(dir, 'config'),
    HELM_DATA_HOME: join(dir, 'data'),
    ...(options.kubeconfigPath ? { KUBECONFIG: options.kubeconfigPath } : {}),
  };
  try {
    return await run(locateTestBinaries().helm, args, { env, maxBuffer: 64 * 1024 * 1024 });
  } catch (err) {
    const failure = err as { stderr?: string; message: string };
    throw new HelmFailed(args, failure.stderr || failure.message);
  }
}

/** `--kube-version` for rendering: the version of the test API server. */
export function kubeVersion(): string {
  return locateTestBinaries().kubernetesVersion.replace(/^v/, '');
}

export interface RenderOptions {
  release?: string;
  namespace?: string;
  values?: ChartValues;
  /** Also emit the CRDs in crds/ (helm template --include-crds). */
  includeCrds?: boolean;
}

/** `helm template` of the chart: the text, as helm prints it. */
export async function templateChart(options: RenderOptions = {}): Promise<string> {
  const { stdout } = await runHelm([
    'template',
    options.release ?? 'astromesh',
    chartDir,
    '--namespace',
    options.namespace ?? 'astromesh-system',
    '--kube-version',
    kubeVersion(),
    '--values',
    writeValuesFile(options.values ?? {}),
    ...(options.includeCrds ? ['--include-crds'] : []),
  ]);
  return stdout;
}

/** `helm template` of the chart, parsed: every object it renders, in order. */
export async function renderChart(options: RenderOptions = {}): Promise<RenderedObject[]> {
  return parseManifests(await templateChart(options));
}

/** The objects of a multi-document YAML stream, without the empty documents. */
export function parseManifests(text: string): RenderedObject[] {
  return (loadAll(text) as unknown[]).filter(
    (document): document is RenderedObject => typeof document === 'object' && document !== null,
  );
}

/** The one rendered object of `kind` whose name ends with `suffix`; throws when not exactly one. */
export function theObject(objects: RenderedObject[], kind: string, suffix = ''): RenderedObject {
  const found = objects.filter((object) => object.kind === kind && object.metadata?.name?.endsWith(suffix));
  if (found.length !== 1) {
    const names = objects.filter((object) => object.kind === kind).map((object) => object.metadata?.name);
    throw new Error(`expected one ${kind} named *${suffix}, found ${found.length} among [${names.join(', ')}]`);
  }
  return found[0] as RenderedObject;
}
