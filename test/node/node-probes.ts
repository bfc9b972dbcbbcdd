import { execFile } from 'node:child_process';
import { Resolver } from 'node:dns/promises';
import { request } from 'node:https';
import { promisify } from 'node:util';

const execFileAsync = promisify(execFile);

/** GET over HTTPS, trusting `ca` (or, for a component's self-signed health endpoint, nothing). */
export function httpsGet(
  url: string,
  options: { ca?: Buffer; token?: string } = {},
): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(
      url,
      {
        ca: options.ca,
        rejectUnauthorized: options.ca !== undefined,
        headers: options.token ? { Authorization: `Bearer ${options.token}` } : {},
        timeout: 5_000,
      },
      (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => {
          body += chunk;
        });
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      },
    );
    req.on('timeout', () => req.destroy(new Error(`${url} did not answer within 5 s`)));
    req.on('error', reject);
    req.end();
  });
}

/** Throws unless `url` answers 200. */
export async function expectOk(url: string, options: { ca?: Buffer; token?: string } = {}): Promise<void> {
  if (url.startsWith('https:')) {
    const { status, body } = await httpsGet(url, options);
    if (status !== 200) throw new Error(`${url} answered ${status}: ${body.slice(0, 300)}`);
    return;
  }
  const res = await fetch(url, { signal: AbortSignal.timeout(5_000) });
  if (res.status !== 200) throw new Error(`${url} answered ${res.status}: ${(await res.text()).slice(0, 300)}`);
}

/** Throws unless the Node reports condition Ready=True. */
export async function expectNodeReady(params: { apiserverUrl: string; ca: Buffer; token: string; nodeName: string }) {
  const { apiserverUrl, ca, token, nodeName } = params;
  const { status, body } = await httpsGet(`${apiserverUrl}/api/v1/nodes/${nodeName}`, { ca, token });
  if (status !== 200) throw new Error(`node ${nodeName}: the API server answered ${status}`);
  const node = JSON.parse(body) as { status?: { conditions?: { type: string; status: string; message?: string }[] } };
  const ready = node.status?.conditions?.find((condition) => condition.type === 'Ready');
  if (ready?.status !== 'True')
    throw new Error(`node ${nodeName} is not Ready: ${ready?.message ?? 'no condition yet'}`);
}

/** Throws unless the DNS server at `server` resolves `name` to `expected` (A record). */
export async function expectDnsAnswer(params: { server: string; name: string; expected: string }): Promise<void> {
  const resolver = new Resolver({ timeout: 2_000, tries: 1 });
  resolver.setServers([params.server]);
  const addresses = await resolver.resolve4(params.name);
  if (!addresses.includes(params.expected)) {
    throw new Error(`${params.server} resolved ${params.name} to ${addresses.join(', ')}, not ${params.expected}`);
  }
}

/** Runs a program to completion; its failure carries its stderr. */
export async function run(binary: string, args: string[], env?: NodeJS.ProcessEnv): Promise<string> {
  try {
    const { stdout } = await execFileAsync(binary, args, { env, maxBuffer: 64 * 1024 * 1024 });
    return stdout;
  } catch (err) {
    const { stderr } = err as { stderr?: string };
    throw new Error(`${binary} ${args.join(' ')} failed: ${stderr?.trim() || (err as Error).message}`);
  }
}
