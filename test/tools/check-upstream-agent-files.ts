// Loads a folder of upstream Astromesh agent files into a real astromeshd and prints each file's
// load status: `npx node test/tools/check-upstream-agent-files.ts <folder> [--json]`, e.g. on
// the `_bundled/config` folder of an unzipped astromesh wheel. Not part of `npm test`: it reads
// upstream's text, which the repository does not hold.
//
// Every `kind: Agent` file under the folder (any depth) goes into one agents directory, with the
// `kind: RAGPipeline` files (upstream keeps them in config/rag/) beside them, and the folder's
// `providers*.yaml` in the directory's parent, where upstream keeps them. Credentials are dummies:
// the status is about loading, not about reaching a model.
import {
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join, relative } from 'node:path';
import { load } from 'js-yaml';
import { pino } from 'pino';
import { isProvidersFileName } from '../../runtime/router/provider-registry.ts';
import { startRuntime } from '../../runtime/start-runtime.ts';

interface AgentStatus {
  name: string;
  status: 'ready' | 'error';
  error?: string;
  warnings?: string[];
}

const args = process.argv.slice(2);
const folder = args.find((arg) => !arg.startsWith('--'));
if (folder === undefined) {
  process.stderr.write('usage: check-upstream-agent-files.ts <folder of upstream agent files> [--json]\n');
  process.exit(2);
}

const yamlFiles = (dir: string): string[] =>
  readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return yamlFiles(path);
    return /\.ya?ml$/.test(name) ? [path] : [];
  });

const kindOf = (text: string): string | undefined => {
  try {
    const doc = load(text) as { kind?: unknown } | undefined;
    return typeof doc?.kind === 'string' ? doc.kind : undefined;
  } catch {
    return undefined;
  }
};

const metadataName = (text: string): string | undefined => {
  try {
    const name = (load(text) as { metadata?: { name?: unknown } } | undefined)?.metadata?.name;
    return typeof name === 'string' ? name : undefined;
  } catch {
    return undefined;
  }
};

const work = mkdtempSync(join(tmpdir(), 'upstream-agent-files-'));
const agentsDir = join(work, 'agents');
mkdirSync(agentsDir);
// Where each copied file came from, by the name it has in the agents directory.
const origin = new Map<string, string>();
for (const file of yamlFiles(folder).sort()) {
  const text = readFileSync(file, 'utf8');
  const kind = kindOf(text);
  const from = relative(folder, file);
  if (isProvidersFileName(basename(file)) && kind === 'ProviderConfig') {
    writeFileSync(join(work, basename(file)), text);
  } else if (kind === 'Agent' || kind === 'RAGPipeline') {
    // Flattened into one directory; the relative path keeps two files of one name apart.
    const name = from.replaceAll('/', '__');
    origin.set(name, from);
    writeFileSync(join(agentsDir, name), text);
  }
}
// Knowledge bundles where upstream keeps them, config/knowledge/, which astromeshd reads beside agents/.
if (existsSync(join(folder, 'knowledge')))
  cpSync(join(folder, 'knowledge'), join(work, 'knowledge'), { recursive: true });
writeFileSync(join(work, 'credentials.yaml'), 'OPENAI_API_KEY: sk-dummy\nANTHROPIC_API_KEY: sk-dummy\n');

const runtime = await startRuntime(
  {
    agentsDir,
    port: 0,
    host: '127.0.0.1',
    credentials: join(work, 'credentials.yaml'),
    dataDir: join(work, 'data'),
    shutdownTimeoutSeconds: 5,
    // It stops as soon as it has printed; its own fetch's idle connection must not hold that up.
    shutdownLingerSeconds: 0,
    logLevel: 'silent',
    memory: undefined,
    memorySchema: undefined,
    authTokenFile: undefined,
    otlpEndpoint: undefined,
  },
  { env: {}, log: pino({ level: 'silent' }) },
);
try {
  const response = await fetch(`${runtime.url}/v1/agents`);
  const { agents } = (await response.json()) as { agents: AgentStatus[] };
  const rows = [...origin.entries()]
    .filter(([name]) => kindOf(readFileSync(join(agentsDir, name), 'utf8')) === 'Agent')
    .map(([name, from]) => {
      // The list names an agent by metadata.name, or by its file's base name while it never loaded.
      const declared = metadataName(readFileSync(join(agentsDir, name), 'utf8'));
      // A file refused before any version loaded (a name another file has) is listed by its base name.
      const agent =
        agents.find((candidate) => candidate.name === name.replace(/\.ya?ml$/, '')) ??
        agents.find((candidate) => candidate.name === declared);
      return {
        file: from,
        agent: agent?.name ?? '-',
        status: agent?.status ?? 'not loaded',
        error: agent?.error?.replaceAll(`${name}: `, '') ?? '',
        warnings: agent?.warnings?.map((warning) => warning.replace(`${name}: `, '')) ?? [],
      };
    });
  if (args.includes('--json')) {
    process.stdout.write(`${JSON.stringify(rows, null, 2)}\n`);
  } else {
    process.stdout.write('| File | Agent | Status | Error | Warnings |\n| --- | --- | --- | --- | --- |\n');
    for (const row of rows) {
      const cell = (text: string) => text.replaceAll('|', '\\|').replaceAll('\n', '; ');
      process.stdout.write(
        `| ${row.file} | ${row.agent} | ${row.status} | ${cell(row.error)} | ${row.warnings.length} ${row.warnings.length ? `(${cell(row.warnings.join('; '))})` : ''} |\n`,
      );
    }
    const ready = rows.filter((row) => row.status === 'ready').length;
    process.stdout.write(`\n${ready} of ${rows.length} agent files ready (${folder})\n`);
  }
} finally {
  await runtime.stop();
  rmSync(work, { recursive: true, force: true });
}
