import { spawn } from 'node:child_process';
import { request } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { connect } from 'node:net';
import type { V1Container, V1Probe } from '@kubernetes/client-node';
import type { ContainerLaunch } from './plan-container-launch.ts';

/**
 * Runs a probe once, as a kubelet does: httpGet succeeds on a 2xx or 3xx answer, tcpSocket when
 * the port accepts a connection, exec when the command exits 0. `host` is the pod's address.
 */
export async function probeContainer(params: {
  probe: V1Probe;
  container: V1Container;
  host: string;
  launch: ContainerLaunch;
}): Promise<boolean> {
  const { probe, container, host, launch } = params;
  const timeoutMs = (probe.timeoutSeconds ?? 1) * 1000;
  if (probe.httpGet) {
    const { path = '/', scheme, httpHeaders = [] } = probe.httpGet;
    const port = resolvePort(container, probe.httpGet.port);
    const url = `${scheme === 'HTTPS' ? 'https' : 'http'}://${probe.httpGet.host || host}:${port}${path}`;
    const headers = Object.fromEntries(httpHeaders.map((header) => [header.name, header.value]));
    return httpSucceeds({ url, headers, timeoutMs });
  }
  if (probe.tcpSocket) {
    const port = resolvePort(container, probe.tcpSocket.port);
    return tcpAccepts({ host: probe.tcpSocket.host || host, port, timeoutMs });
  }
  if (probe.exec?.command?.length) {
    const [command, ...args] = probe.exec.command as [string, ...string[]];
    return exitsZero({ command, args, launch, timeoutMs });
  }
  return true;
}

/** A probe port is a number or the name of one of the container's ports. */
export function resolvePort(container: V1Container, port: number | string): number {
  if (typeof port === 'number') return port;
  if (/^\d+$/.test(port)) return Number(port);
  const named = container.ports?.find((candidate) => candidate.name === port);
  if (!named) throw new Error(`container ${container.name} has no port named ${port}`);
  return named.containerPort;
}

function httpSucceeds(params: { url: string; headers: Record<string, string>; timeoutMs: number }): Promise<boolean> {
  const { url, headers, timeoutMs } = params;
  const send = url.startsWith('https:') ? httpsRequest : request;
  return new Promise((resolve) => {
    // Probes skip certificate checks, as the kubelet's do.
    const req = send(url, { headers, timeout: timeoutMs, rejectUnauthorized: false }, (res) => {
      res.resume();
      const status = res.statusCode ?? 0;
      resolve(status >= 200 && status < 400);
    });
    req.on('timeout', () => req.destroy());
    req.on('error', () => resolve(false));
    req.end();
  });
}

function tcpAccepts(params: { host: string; port: number; timeoutMs: number }): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: params.host, port: params.port, timeout: params.timeoutMs });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('timeout', () => socket.destroy());
    socket.once('error', () => resolve(false));
    socket.once('close', () => resolve(false));
  });
}

function exitsZero(params: {
  command: string;
  args: string[];
  launch: ContainerLaunch;
  timeoutMs: number;
}): Promise<boolean> {
  const { command, args, launch, timeoutMs } = params;
  return new Promise((resolve) => {
    const child = spawn(command, args, { cwd: launch.cwd, env: launch.env, stdio: 'ignore', timeout: timeoutMs });
    child.once('error', () => resolve(false));
    child.once('exit', (code) => resolve(code === 0));
  });
}
