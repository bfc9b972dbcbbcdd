import { type ChildProcess, execFile, spawn, spawnSync } from 'node:child_process';
import {
  existsSync,
  mkdtempSync,
  openSync,
  readdirSync,
  readFileSync,
  rmdirSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { eventually } from '../support/eventually.ts';

export interface CommandResult {
  code: number;
  stdout: string;
  stderr: string;
}

export interface ContainerMount {
  source: string;
  destination: string;
  readOnly?: boolean;
}

export interface ContainerSpec {
  id: string;
  reference: string;
  /** The whole command line; default: the image's entrypoint and cmd. */
  args?: string[];
  env?: Record<string, string>;
  mounts?: ContainerMount[];
  /** Share the test's network namespace (servers bind loopback), or join a named one. */
  network: { host: true } | { namespacePath: string };
  /** The container's stdout and stderr go here. */
  logFile: string;
}

export interface TestContainerd {
  /** `ctr` against this containerd and its namespace; never throws on a non-zero exit. */
  ctr(args: string[]): Promise<CommandResult>;
  importArchive(archive: string): Promise<void>;
  /** The image's root filesystem, read-only, at `target` (a folder that exists); unmountImage ends it. */
  mountImage(reference: string, target: string): Promise<void>;
  unmountImage(target: string): Promise<void>;
  /** Starts a container with a read-only root filesystem, as the chart's pods run. */
  runDetached(spec: ContainerSpec): Promise<void>;
  /** The host PID of the container's first process. */
  taskPid(id: string): Promise<number>;
  /** Runs a process in the running container (with env(1) from the image when `env` is given). */
  exec(id: string, args: string[], env?: Record<string, string>): Promise<CommandResult>;
  /** Signals the task, waits until it has stopped and deletes it; resolves with its exit code. */
  stopTask(id: string, signal: string): Promise<number>;
  /** Ends every task, containerd itself, and removes its state, mounts and cgroups. */
  stop(): Promise<void>;
}

/**
 * A containerd of our own (its own root, state, socket and namespace, no CRI), with runc and the
 * overlayfs snapshotter, to run the built images as containerd runs them on a node: imported
 * with `ctr images import`, started by runc.
 */
export async function startTestContainerd(): Promise<TestContainerd> {
  const dir = mkdtempSync(join(tmpdir(), 'astromesh-image-containerd-'));
  const address = join(dir, 'containerd.sock');
  const namespace = `astromesh-image-test-${process.pid}`;
  writeFileSync(
    join(dir, 'config.toml'),
    `version = 2
root = "${join(dir, 'root')}"
state = "${join(dir, 'state')}"
disabled_plugins = ["io.containerd.grpc.v1.cri", "io.containerd.snapshotter.v1.devmapper", "io.containerd.snapshotter.v1.zfs", "io.containerd.snapshotter.v1.btrfs", "io.containerd.snapshotter.v1.aufs"]

[grpc]
  address = "${address}"

[plugins."io.containerd.internal.v1.opt"]
  path = "${join(dir, 'opt')}"
`,
  );
  const logFd = openSync(join(dir, 'containerd.log'), 'a');
  const daemon: ChildProcess = spawn('containerd', ['--config', join(dir, 'config.toml')], {
    stdio: ['ignore', logFd, logFd],
  });
  const exited = new Promise<void>((resolve) => daemon.once('exit', () => resolve()));
  const ctr = (args: string[]) => run('ctr', ['--address', address, '--namespace', namespace, ...args]);
  const mustCtr = async (args: string[]) => {
    const result = await ctr(args);
    if (result.code !== 0) throw new Error(`ctr ${args.join(' ')} failed (${result.code}): ${result.stderr}`);
    return result.stdout;
  };
  const stop = async () => {
    for (const id of (await ctr(['tasks', 'list', '--quiet'])).stdout.split('\n').filter(Boolean)) {
      await ctr(['tasks', 'kill', '--signal', 'SIGKILL', id]);
      await eventually(
        async () => {
          const deleted = await ctr(['tasks', 'delete', id]);
          if (deleted.stderr.includes('running')) throw new Error(`task ${id} still running`);
        },
        { timeoutMs: 20_000 },
      ).catch(() => undefined);
    }
    for (const id of (await ctr(['containers', 'list', '--quiet'])).stdout.split('\n').filter(Boolean)) {
      await ctr(['containers', 'delete', id]);
    }
    daemon.kill('SIGTERM');
    await exited;
    unmountBelow(dir);
    rmSync(dir, { recursive: true, force: true });
    removeNamespaceCgroups(namespace);
  };
  try {
    await eventually(
      async () => {
        if (daemon.exitCode !== null)
          throw new Error(`containerd exited: ${readFileSync(join(dir, 'containerd.log'), 'utf8')}`);
        await mustCtr(['version']);
      },
      { timeoutMs: 30_000 },
    );
  } catch (err) {
    await stop();
    throw err;
  }
  return {
    ctr,
    importArchive: async (archive) => {
      await mustCtr(['images', 'import', '--snapshotter', 'overlayfs', archive]);
    },
    mountImage: async (reference, target) => {
      await mustCtr(['images', 'mount', '--snapshotter', 'overlayfs', reference, target]);
    },
    unmountImage: async (target) => {
      await mustCtr(['images', 'unmount', '--rm', target]);
    },
    runDetached: async (spec) => {
      const flags = [
        '--detach',
        '--read-only',
        '--snapshotter',
        'overlayfs',
        '--log-uri',
        `file://${spec.logFile}`,
        ...('host' in spec.network ? ['--net-host'] : ['--with-ns', `network:${spec.network.namespacePath}`]),
        ...Object.entries(spec.env ?? {}).flatMap(([name, value]) => ['--env', `${name}=${value}`]),
        ...(spec.mounts ?? []).flatMap((mount) => [
          '--mount',
          `type=bind,src=${mount.source},dst=${mount.destination},options=rbind:${mount.readOnly ? 'ro' : 'rw'}`,
        ]),
      ];
      await mustCtr(['run', ...flags, spec.reference, spec.id, ...(spec.args ?? [])]);
    },
    taskPid: async (id) => {
      const line = (await mustCtr(['tasks', 'list'])).split('\n').find((row) => row.split(/\s+/)[0] === id);
      const pid = Number(line?.split(/\s+/)[1]);
      if (!Number.isInteger(pid) || pid <= 0) throw new Error(`no running task ${id}`);
      return pid;
    },
    exec: (id, args, env = {}) =>
      ctr([
        'tasks',
        'exec',
        '--exec-id',
        `exec-${Date.now()}-${Math.random().toString(36).slice(2, 8)}`,
        id,
        // ctr tasks exec takes no --env: the image's own env(1) sets it.
        ...(Object.keys(env).length > 0
          ? ['env', ...Object.entries(env).map(([name, value]) => `${name}=${value}`)]
          : []),
        ...args,
      ]),
    stopTask: async (id, signal) => {
      await mustCtr(['tasks', 'kill', '--signal', signal, id]);
      await eventually(
        async () => {
          const row = (await mustCtr(['tasks', 'list'])).split('\n').find((line) => line.split(/\s+/)[0] === id);
          if (!row?.includes('STOPPED')) throw new Error(`task ${id} has not stopped: ${row}`);
        },
        { timeoutMs: 60_000 },
      );
      // ctr exits with the task's exit status.
      const deleted = await ctr(['tasks', 'delete', id]);
      await mustCtr(['containers', 'delete', id]);
      return deleted.code;
    },
    stop,
  };
}

function run(command: string, args: string[]): Promise<CommandResult> {
  return new Promise((resolve) => {
    execFile(command, args, { maxBuffer: 16 * 1024 * 1024 }, (err, stdout, stderr) => {
      // err.code is the exit status, or a string (ENOENT) when the command could not run.
      const code = err ? (typeof err.code === 'number' ? err.code : 1) : 0;
      const cause = typeof err?.code === 'string' ? err.message : '';
      resolve({ code, stdout: String(stdout), stderr: `${String(stderr)}${cause}` });
    });
  });
}

/** Snapshot and rootfs mounts a killed shim may have left, deepest first. */
function unmountBelow(dir: string): void {
  const mountPoints = readFileSync('/proc/self/mountinfo', 'utf8')
    .split('\n')
    .map((line) => line.split(' ')[4] ?? '')
    .filter((point) => point.startsWith(`${dir}/`))
    .sort((a, b) => b.length - a.length);
  for (const point of mountPoints) spawnSync('umount', ['--lazy', point]);
}

/** runc removes each container's cgroup; the namespace's parent folder is ours to remove. */
function removeNamespaceCgroups(namespace: string): void {
  const root = '/sys/fs/cgroup';
  if (!existsSync(root)) return;
  for (const controller of readdirSync(root)) {
    try {
      rmdirSync(join(root, controller, namespace));
    } catch {
      // Not there for this controller (or cgroup v2's unified tree): nothing to remove.
    }
  }
}
