import { type ChildProcess, spawn } from 'node:child_process';
import { closeSync, openSync, writeSync } from 'node:fs';
import { constants } from 'node:os';
import type { V1Container, V1ContainerState } from '@kubernetes/client-node';
import type { KubeletLog } from './kubelet-types.ts';
import type { ContainerLaunch } from './plan-container-launch.ts';
import { probeContainer } from './probe-container.ts';

const probeIntervalMs = 300;
const firstRestartDelayMs = 200;
const maxRestartDelayMs = 3_000;
// A container that ran this long before exiting starts its back-off from scratch, as on a kubelet.
const backoffResetAfterMs = 10_000;

/** What the pod status says about one container. */
export interface ContainerSnapshot {
  name: string;
  image: string;
  pid: number | undefined;
  logPath: string;
  ready: boolean;
  started: boolean;
  restartCount: number;
  state: V1ContainerState;
  lastState: V1ContainerState;
}

export type RestartPolicy = 'Always' | 'OnFailure' | 'Never';

/**
 * Runs one container as a local process in its own process group (so SIGKILL reaches anything
 * it spawned), restarts it by `restartPolicy` with a short doubling back-off, and polls its
 * readinessProbe every 300 ms. Probe delays and periods tuned for real clusters are ignored so
 * tests do not wait on them; liveness and startup probes are not run.
 */
export function runContainer(params: {
  container: V1Container;
  launch: ContainerLaunch;
  host: string;
  logPath: string;
  restartPolicy: RestartPolicy;
  log: KubeletLog;
  onChange: () => void;
}) {
  const { container, launch, host, logPath, restartPolicy, log, onChange } = params;
  let child: ChildProcess | undefined;
  let startedAt: string | undefined;
  let ready = false;
  let restartCount = 0;
  let consecutiveFailures = 0;
  let stopping = false;
  let state: V1ContainerState = { waiting: { reason: 'ContainerCreating' } };
  let lastState: V1ContainerState = {};
  let restartTimer: NodeJS.Timeout | undefined;
  let probeTimer: NodeJS.Timeout | undefined;
  let restartDelayMs = firstRestartDelayMs;
  const exited = new Set<() => void>();

  const setReady = (value: boolean) => {
    if (ready === value) return;
    ready = value;
    onChange();
  };

  const start = () => {
    if (stopping) return;
    const logFd = openSync(logPath, 'a');
    try {
      child = spawn(launch.command, launch.args, {
        cwd: launch.cwd,
        env: launch.env,
        stdio: ['ignore', logFd, logFd],
        detached: true,
      });
    } finally {
      closeSync(logFd);
    }
    const current = child;
    startedAt = now();
    state = { running: { startedAt: startedAt as unknown as Date } };
    ready = !container.readinessProbe;
    log(
      { container: container.name, pid: current.pid, command: launch.command, args: launch.args },
      'container started',
    );
    current.once('error', (err) =>
      appendToLog(logPath, `fake kubelet: cannot start ${launch.command}: ${err.message}\n`),
    );
    current.once('close', (code, signal) => onExit(current, code, signal));
    onChange();
    if (container.readinessProbe) scheduleProbe(current);
  };

  const scheduleProbe = (probed: ChildProcess) => {
    probeTimer = setTimeout(async () => {
      const probe = container.readinessProbe;
      if (!probe || child !== probed || stopping) return;
      const failureThreshold = probe.failureThreshold ?? 3;
      const passed = await probeContainer({ probe, container, host, launch }).catch(() => false);
      if (child !== probed || stopping) return;
      consecutiveFailures = passed ? 0 : consecutiveFailures + 1;
      if (passed) setReady(true);
      else if (!ready || consecutiveFailures >= failureThreshold) setReady(false);
      scheduleProbe(probed);
    }, probeIntervalMs);
  };

  const onExit = (exitedChild: ChildProcess, code: number | null, signal: NodeJS.Signals | null) => {
    if (child !== exitedChild) return;
    child = undefined;
    clearTimeout(probeTimer);
    const exitCode = exitCodeOf(code, signal);
    const finishedAt = now();
    const terminated = {
      exitCode,
      signal: signal ? signalNumber(signal) : undefined,
      reason: exitCode === 0 ? 'Completed' : 'Error',
      startedAt: startedAt as unknown as Date,
      finishedAt: finishedAt as unknown as Date,
    };
    ready = false;
    log({ container: container.name, pid: exitedChild.pid, exitCode, signal }, 'container exited');
    for (const resolve of exited) resolve();
    exited.clear();
    const restarts = restartPolicy === 'Always' || (restartPolicy === 'OnFailure' && exitCode !== 0);
    if (stopping || !restarts) {
      state = { terminated };
      onChange();
      return;
    }
    const ranForMs = Date.parse(finishedAt) - Date.parse(startedAt ?? finishedAt);
    if (ranForMs > backoffResetAfterMs) restartDelayMs = firstRestartDelayMs;
    lastState = { terminated };
    state = {
      waiting: {
        reason: 'CrashLoopBackOff',
        message: `back-off ${restartDelayMs}ms restarting failed container=${container.name}`,
      },
    };
    restartCount++;
    onChange();
    restartTimer = setTimeout(start, restartDelayMs);
    restartDelayMs = Math.min(restartDelayMs * 2, maxRestartDelayMs);
  };

  /** Signals the whole process group; the process may already be gone. */
  const signalGroup = (target: ChildProcess, signal: NodeJS.Signals) => {
    try {
      if (target.pid) process.kill(-target.pid, signal);
    } catch {
      target.kill(signal);
    }
  };

  return {
    start,
    snapshot(): ContainerSnapshot {
      return {
        name: container.name,
        image: container.image ?? '',
        pid: child?.pid,
        logPath,
        ready,
        started: state.running !== undefined,
        restartCount,
        state,
        lastState,
      };
    },
    /** SIGKILL, as a crash would; the restart policy then applies. */
    kill(): number | undefined {
      const pid = child?.pid;
      if (child) signalGroup(child, 'SIGKILL');
      return pid;
    },
    /** SIGTERM, then SIGKILL once `gracePeriodMs` has passed; resolves when the process is gone. */
    async stop(gracePeriodMs: number): Promise<void> {
      stopping = true;
      clearTimeout(restartTimer);
      clearTimeout(probeTimer);
      const running = child;
      if (!running) return;
      const gone = new Promise<void>((resolve) => exited.add(resolve));
      signalGroup(running, 'SIGTERM');
      const killTimer = setTimeout(() => signalGroup(running, 'SIGKILL'), gracePeriodMs);
      await gone;
      clearTimeout(killTimer);
    },
    /** For process exit: no waiting, no events. */
    killNow(): void {
      stopping = true;
      clearTimeout(restartTimer);
      clearTimeout(probeTimer);
      if (child) signalGroup(child, 'SIGKILL');
    },
  };
}

export type ContainerRun = ReturnType<typeof runContainer>;

function now(): string {
  // Kubernetes timestamps have whole seconds.
  return `${new Date().toISOString().slice(0, 19)}Z`;
}

function signalNumber(signal: NodeJS.Signals | null): number {
  return signal ? constants.signals[signal] : 0;
}

// A command that could not be started at all (spawn reports a negative errno) exits like a
// shell's "command not found".
function exitCodeOf(code: number | null, signal: NodeJS.Signals | null): number {
  if (code === null) return 128 + signalNumber(signal);
  return code < 0 ? 127 : code;
}

function appendToLog(logPath: string, line: string): void {
  const fd = openSync(logPath, 'a');
  try {
    writeSync(fd, line);
  } finally {
    closeSync(fd);
  }
}
