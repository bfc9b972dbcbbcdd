import { type Logger, pino } from 'pino';

/** A debug-level pino logger whose lines a test can read back, to see what a component reported. */
export function aCapturingLogger(): { log: Logger; messages: () => string[] } {
  const lines: Array<{ msg?: string }> = [];
  const log = pino({ level: 'debug' }, { write: (line: string) => void lines.push(JSON.parse(line)) });
  return { log, messages: () => lines.map((line) => line.msg ?? '') };
}
