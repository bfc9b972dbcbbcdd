import { type FSWatcher, watch } from 'node:fs';
import { readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { load, YAMLException } from 'js-yaml';
import type { Logger } from 'pino';
import type { CredentialsLookup } from './credentials-lookup.ts';

const credentialName = /^[A-Za-z_][A-Za-z0-9_]*$/;

/**
 * Provider keys and base URLs for the runtime. `path` is either a directory with one file per
 * credential (how Kubernetes mounts the org's Secret: OPENAI_API_KEY, OLLAMA_BASE_URL…) or one
 * file of `NAME: value` pairs (YAML or JSON) or `NAME=value` lines. It is watched and reloaded,
 * so a rotated key reaches the next model call without a restart; the environment fills in
 * names the file does not have. Values are never logged: only names and counts.
 */
export function createCredentialsStore(deps: {
  path: string | undefined;
  env: NodeJS.ProcessEnv;
  log: Logger;
  rescanIntervalMs?: number;
}) {
  let fromFile = new Map<string, string>();
  let watcher: FSWatcher | undefined;
  let interval: NodeJS.Timeout | undefined;
  let reloading: Promise<void> = Promise.resolve();

  async function reloadOnce(): Promise<void> {
    if (!deps.path) return;
    try {
      const next = await readCredentials(deps.path);
      const changed = next.size !== fromFile.size || [...next].some(([name, value]) => fromFile.get(name) !== value);
      fromFile = next;
      if (changed) deps.log.info({ path: deps.path, names: [...next.keys()].sort() }, 'credentials loaded');
    } catch (err) {
      // Keep the credentials we have: a half-written file must not take every provider down.
      deps.log.error(
        { path: deps.path, error: (err as Error).message },
        'cannot read credentials; keeping the previous ones',
      );
    }
  }

  function reload(): Promise<void> {
    reloading = reloading.then(reloadOnce);
    return reloading;
  }

  const lookup: CredentialsLookup = (name) => {
    const value = fromFile.get(name) ?? deps.env[name];
    return value === undefined || value === '' ? undefined : value;
  };

  return {
    lookup,
    reload,
    async start(): Promise<void> {
      if (!deps.path) return;
      await reload();
      watcher = watch(deps.path, () => void reload());
      watcher.on('error', (err) => deps.log.error({ err, path: deps.path }, 'credentials watch failed'));
      const rescanIntervalMs = deps.rescanIntervalMs ?? 5_000;
      if (rescanIntervalMs > 0) interval = setInterval(reload, rescanIntervalMs).unref();
    },
    async close(): Promise<void> {
      watcher?.close();
      clearInterval(interval);
      await reloading;
    },
  };
}
export type CredentialsStore = ReturnType<typeof createCredentialsStore>;

async function readCredentials(path: string): Promise<Map<string, string>> {
  if ((await stat(path)).isDirectory()) {
    const names = (await readdir(path)).filter((name) => credentialName.test(name));
    const entries = await Promise.all(
      names.map(async (name) => [name, (await readFile(join(path, name), 'utf8')).trim()] as const),
    );
    return new Map(entries);
  }
  return parseCredentialsFile(await readFile(path, 'utf8'), path);
}

export function parseCredentialsFile(text: string, path: string): Map<string, string> {
  const trimmed = text.trim();
  if (trimmed === '') return new Map();
  const looksLikeDotenv = trimmed
    .split('\n')
    .every((line) => line.trim() === '' || line.trim().startsWith('#') || /^[A-Za-z_][A-Za-z0-9_]*=/.test(line.trim()));
  const pairs = looksLikeDotenv ? dotenvPairs(trimmed) : yamlPairs(trimmed, path);
  for (const [name] of pairs) {
    if (!credentialName.test(name)) throw new Error(`${path}: '${name}' is not a credential name (letters, digits, _)`);
  }
  return new Map(pairs);
}

function dotenvPairs(text: string): [string, string][] {
  return text
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '' && !line.startsWith('#'))
    .map((line) => {
      const at = line.indexOf('=');
      return [line.slice(0, at), unquote(line.slice(at + 1).trim())];
    });
}

function yamlPairs(text: string, path: string): [string, string][] {
  let parsed: unknown;
  try {
    parsed = load(text);
  } catch (err) {
    // js-yaml's message quotes the offending lines, and those hold keys: keep only the reason
    // and the position.
    if (!(err instanceof YAMLException)) throw err;
    const where = err.mark ? ` at line ${err.mark.line + 1}` : '';
    throw new Error(`${path}: not valid YAML (${err.reason}${where})`);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new Error(`${path}: expected a map of NAME: value`);
  }
  return Object.entries(parsed).map(([name, value]) => {
    if (typeof value !== 'string' && typeof value !== 'number') throw new Error(`${path}: ${name} must be a string`);
    return [name, String(value)];
  });
}

function unquote(value: string): string {
  const quoted = /^(['"])(.*)\1$/.exec(value);
  return quoted ? (quoted[2] as string) : value;
}
