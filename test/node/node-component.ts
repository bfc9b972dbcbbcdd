import { type ChildProcess, spawn } from 'node:child_process';
import { createWriteStream, existsSync, readFileSync } from 'node:fs';
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
  timeoutMs = 120_000,
): Promise<void> {
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
    throw new Error(`${name} did not become ready: ${(err as Error).message}\n${logTail(logFile, 40)}`);
  } finally {
    if (onExit) child.off('exit', onExit);
    exited.catch(() => undefined);
  }
}

export function logTail(logFile: string, lines: number): string {
  if (!existsSync(logFile)) return `(no log at ${logFile})`;
  return `--- ${logFile} ---\n${readFileSync(logFile, 'utf8').split('\n').slice(-lines).join('\n')}`;
}
