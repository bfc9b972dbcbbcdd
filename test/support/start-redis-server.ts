import { spawn } from 'node:child_process';
import { ensureDebianPrograms, locateProgram } from './ensure-debian-programs.ts';
import { freePort } from './free-port.ts';

export interface RunningRedis {
  /** redis://127.0.0.1:PORT, with the password when one was asked for. */
  url: string;
  port: number;
  /** Kills the server; what it held is gone (nothing is saved). */
  stop(): Promise<void>;
}

/** The Debian package of redis-server; vitest's global setup installs it as root. */
export const redisServerProgram = { program: 'redis-server', debianPackage: 'redis-server' };

/**
 * A real redis-server on a free loopback port, holding nothing on disk (`--save ''`,
 * `--appendonly no`). Missing redis-server is installed when running as root, else an error
 * names the package.
 */
export async function startRedisServer(options: { password?: string; port?: number } = {}): Promise<RunningRedis> {
  ensureDebianPrograms([redisServerProgram], 'the Redis memory tests', (line) =>
    process.stderr.write(`[redis] ${line}\n`),
  );
  const program = locateProgram(redisServerProgram.program) as string;
  const port = options.port ?? (await freePort());
  const args = ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'];
  if (options.password) args.push('--requirepass', options.password);
  const server = spawn(program, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  await new Promise<void>((resolve, reject) => {
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      if (output.includes('Ready to accept connections')) resolve();
    };
    server.stdout.on('data', onData);
    server.stderr.on('data', onData);
    server.once('error', reject);
    server.once('exit', (code, signal) =>
      reject(new Error(`redis-server exited (${code ?? signal}) before it was ready:\n${output}`)),
    );
  });
  const exited = new Promise<void>((resolve) => server.once('exit', () => resolve()));
  const auth = options.password ? `:${encodeURIComponent(options.password)}@` : '';
  return {
    url: `redis://${auth}127.0.0.1:${port}`,
    port,
    async stop() {
      if (server.exitCode === null && server.signalCode === null) server.kill('SIGKILL');
      await exited;
    },
  };
}
