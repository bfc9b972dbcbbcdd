#!/usr/bin/env node
// astromesh-operator: reconciles CloudAgents into per-org runtimes (run with --help).
import { createStdoutLogger, parseCommandLineOrExit } from '../runtime/daemon-entry.ts';
import { stopOnSignals } from '../runtime/stop-on-signals.ts';
import { parseOperatorOptions, usage } from './cli-options.ts';
import { loadKubeAccess } from './kube/load-kube-access.ts';
import { type RunningOperator, startOperator } from './start-operator.ts';

const options = parseCommandLineOrExit({
  name: 'astromesh-operator',
  usage,
  parse: () => parseOperatorOptions(process.argv.slice(2), process.env),
});

if (options === 'help') {
  process.stdout.write(usage);
} else {
  const log = createStdoutLogger({
    service: 'astromesh-operator',
    level: options.logLevel,
    redactPaths: ['*.token', '*.password', '*.authorization', '*.data'],
  });
  let operator: RunningOperator;
  try {
    const kubeConfig = await loadKubeAccess({ kubeconfigPath: options.kubeconfig });
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
