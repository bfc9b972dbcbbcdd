/** What a wake benchmark measured on one backend, in ms. */
export interface WakeLatencies {
  /** From a run's POST to a sleeping org until its answer. */
  wakeMs: number[];
  /** A run to the same org while it is awake. */
  warmMs: number[];
  /** The slowest of each burst of concurrent runs sent during one wake (all answered 200). */
  concurrentMaxMs: number[];
  /** How many runs each burst sent. */
  concurrentDuringWake: number;
}

/** p50, min and max of `values` in ms, as the wake benchmarks print them. */
export function summarizeMs(values: number[]): string {
  if (values.length === 0) return 'n/a';
  const sorted = [...values].sort((a, b) => a - b);
  const at = (p: number) => sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))] as number;
  const ms = (value: number) => `${value.toFixed(0).padStart(6)} ms`;
  return `p50 ${ms(at(0.5))}  min ${ms(sorted[0] as number)}  max ${ms(sorted.at(-1) as number)}  (n=${values.length})`;
}

/** Prints one backend's wakes (test/bench/wake-latency.ts, and the real node's in real-node.ts). */
export function reportWakeLatency(title: string, measured: WakeLatencies): void {
  const burst = `${measured.concurrentDuringWake} runs during a wake`.padEnd(22);
  const lines = [
    `cold wake → first answer, ${title}`,
    `  wake (one run)          ${summarizeMs(measured.wakeMs)}`,
    `  warm run (org awake)    ${summarizeMs(measured.warmMs)}`,
    `  ${burst}  ${summarizeMs(measured.concurrentMaxMs)}   (slowest of each burst; all answered 200)`,
  ];
  process.stdout.write(`${lines.join('\n')}\n`);
}
