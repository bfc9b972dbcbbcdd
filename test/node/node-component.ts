import { type ChildProcess, spawn } from 'node:child_process';
import { createWriteStream, existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { eventually } from '../support/eventually.ts';
import { nodeStatePaths } from './node-layout.ts';

export interface NodeComponent {
  name: string;
  child: ChildProcess;
  logFile: string;
}

/** Where a component's output goes: the per-run folder the test can read (`logTail`). */
export function componentLogFile(runDir: string, name: string): string {
  return join(runDir, `${name}.log`);
}

/**
 * Starts one of the node's programs with its output in its log file. HOME points into the node's
 * tmpfs, so nothing (kubectl's discovery cache, say) is written to the machine's disk.
 */
export function startNodeComponent(params: {
  runDir: string;
  name: string;
  binary: string;
  args: string[];
}): NodeComponent {
  const { runDir, name, binary, args } = params;
  const logFile = componentLogFile(runDir, name);
  const log = createWriteStream(logFile, { flags: 'a' });
  const child = spawn(binary, args, {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: {
      PATH: `/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin`,
      HOME: nodeStatePaths.home,
    },
  });
  child.stdout?.pipe(log);
  child.stderr?.pipe(log);
  return { name, child, logFile };
}

/** Waits until `probe` passes; fails early, with the end of its log, if the component exits first. */
export async function waitForComponent(
  component: NodeComponent,
  probe: () => Promise<void>,
  options: { timeoutMs?: number; moreLogs?: () => string } = {},
): Promise<void> {
  const { timeoutMs = 120_000, moreLogs } = options;
  const { name, child, logFile } = component;
  let onExit: (() => void) | undefined;
  const exited = new Promise<never>((_, reject) => {
    onExit = () => reject(new Error(`${name} exited (code ${child.exitCode}, signal ${child.signalCode})`));
    if (child.exitCode !== null || child.signalCode !== null) onExit();
    else child.once('exit', onExit);
  });
  try {
    await Promise.race([eventually(probe, { timeoutMs, intervalMs: 250 }), exited]);
  } catch (err) {
    const logs = [logTail(logFile, 40), ...(moreLogs ? [moreLogs()] : [])].join('\n');
    throw new Error(`${name} did not become ready: ${(err as Error).message}\n${logs}`);
  } finally {
    if (onExit) child.off('exit', onExit);
    exited.catch(() => undefined);
  }
}

export function logTail(logFile: string, lines: number): string {
  if (!existsSync(logFile)) return `(no log at ${logFile})`;
  return `--- ${logFile} ---\n${readFileSync(logFile, 'utf8').split('\n').slice(-lines).join('\n')}`;
}

/**
 * The end of a pod's container logs, as the kubelet writes them on the node's tmpfs
 * (/var/log/pods/<namespace>_<pod>_<uid>/<container>/<restart>.log), for a pod of the node's own.
 */
export function podLogTail(namespace: string, podPrefix: string, lines: number): string {
  const root = '/var/log/pods';
  const pods = existsSync(root) ? readdirSync(root).filter((dir) => dir.startsWith(`${namespace}_${podPrefix}`)) : [];
  return pods
    .flatMap((pod) =>
      readdirSync(join(root, pod)).flatMap((container) =>
        readdirSync(join(root, pod, container)).map((file) => logTail(join(root, pod, container, file), lines)),
      ),
    )
    .join('\n');
}
