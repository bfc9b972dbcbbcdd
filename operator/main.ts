#!/usr/bin/env node
// astromesh-operator: reconciles CloudAgents into per-org runtimes (run with --help).
import { KubeConfig } from '@kubernetes/client-node';
import { pino } from 'pino';
import { stopOnSignals } from '../runtime/stop-on-signals.ts';
import { type OperatorOptions, parseOperatorOptions, UsageError, usage } from './cli-options.ts';
import { type RunningOperator, startOperator } from './start-operator.ts';

let options: OperatorOptions | 'help';
try {
  options = parseOperatorOptions(process.argv.slice(2), process.env);
} catch (err) {
  if (!(err instanceof UsageError) && !(err instanceof TypeError)) throw err;
  process.stderr.write(`astromesh-operator: ${err.message}\n\n${usage}`);
  process.exit(2);
}

if (options === 'help') {
  process.stdout.write(usage);
} else {
  // Synchronous: the last lines before process.exit (the shutdown steps) are written, in order.
  const destination = pino.destination({ fd: 1, sync: true });
  destination.on('error', () => {});
  const log = pino(
    {
      level: options.logLevel,
      base: { service: 'astromesh-operator' },
      redact: { paths: ['*.token', '*.password', '*.authorization', '*.data'], censor: '[redacted]' },
    },
    destination,
  );
  let operator: RunningOperator;
  try {
    const kubeConfig = new KubeConfig();
    if (options.kubeconfig) kubeConfig.loadFromFile(options.kubeconfig);
    else kubeConfig.loadFromCluster();
    operator = await startOperator({
      kubeConfig,
      settings: options.settings,
      leaderElection: options.leaderElect
        ? { namespace: options.leaseNamespace, name: options.leaseName, identity: options.identity }
        : undefined,
      identity: options.identity,
      orgNamespaceSelector: options.orgNamespaceSelector,
      pullSecretNamespace: options.leaseNamespace,
      workers: options.workers,
      resyncIntervalMs: options.resyncIntervalMs,
      host: options.host,
      port: options.port,
      log,
    });
  } catch (err) {
    log.fatal({ err }, 'astromesh-operator failed to start');
    process.exit(1);
  }
  const stop = stopOnSignals({ log, stop: () => operator.stop() });
  // A replica that lost its Lease exits: the restarted process is a clean candidate again.
  void operator.lostLeadership.then(() => {
    log.error('leadership lost, exiting');
    process.exitCode = 1;
    stop('leadership lost');
  });
}
