/**
 * What a container image means to the fake kubelet: the process an image would start, since it
 * runs local processes instead of containers. `command` is the image's entrypoint (ENTRYPOINT and
 * CMD together); a container's own `command` replaces it and its `args` are appended.
 */
export interface FakeImage {
  command: string[];
  /** Environment the image sets (a Dockerfile's ENV); the container's `env` overrides it. */
  env?: Record<string, string>;
  /** Working folder when the container sets no `workingDir`; the pod's folder otherwise. */
  workingDir?: string;
}

/** Images by reference; `registry/app` also matches `registry/app:tag` and `registry/app@sha256:…`. */
export type FakeImages = Record<string, FakeImage>;

/** Structured log line: fields first, a fixed message second (STYLE.md 16). */
export type KubeletLog = (fields: Record<string, unknown>, message: string) => void;

/** A condition the kubelet cannot get past on its own; the pod keeps retrying and shows `reason`. */
export class ContainerConfigError extends Error {
  readonly reason: string;

  constructor(reason: string, message: string) {
    super(message);
    this.name = 'ContainerConfigError';
    this.reason = reason;
  }
}
