import { type CoreV1Api, PatchStrategy, setHeaderOptions } from '@kubernetes/client-node';
import type { PodStatusPatch } from './build-pod-status.ts';
import type { KubeletLog } from './kubelet-types.ts';
import { isNotFound } from './read-config-sources.ts';

const retryAfterMs = 500;
const mergePatch = setHeaderOptions('Content-Type', PatchStrategy.MergePatch);

/**
 * Writes a pod's status through the `pods/status` subresource whenever asked, one request at a
 * time: changes that arrive while a write is in flight are folded into the next one, and a
 * status equal to the last one written is not sent again. A merge patch needs no
 * resourceVersion, so the controllers' own writes never make it conflict.
 */
export function createPodStatusWriter(params: {
  core: CoreV1Api;
  namespace: string;
  name: string;
  build: () => PodStatusPatch;
  onWritten: (status: PodStatusPatch) => void;
  log: KubeletLog;
}) {
  const { core, namespace, name, build, onWritten, log } = params;
  let lastWritten = '';
  let writing = false;
  let writeAgain = false;
  let stopped = false;
  let retryTimer: NodeJS.Timeout | undefined;

  const write = async (): Promise<void> => {
    if (writing) {
      writeAgain = true;
      return;
    }
    writing = true;
    try {
      do {
        writeAgain = false;
        if (stopped) return;
        const status = build();
        const body = JSON.stringify(status);
        if (body === lastWritten) continue;
        try {
          await core.patchNamespacedPodStatus({ namespace, name, body: { status } }, mergePatch);
          lastWritten = body;
          onWritten(status);
        } catch (err) {
          // A pod that is gone needs no status; anything else is worth another try.
          if (isNotFound(err)) return;
          log({ err: String(err) }, 'pod status update failed, retrying');
          clearTimeout(retryTimer);
          retryTimer = setTimeout(() => void write(), retryAfterMs);
        }
      } while (writeAgain);
    } finally {
      writing = false;
    }
  };

  return {
    write,
    stop(): void {
      stopped = true;
      clearTimeout(retryTimer);
    },
  };
}
