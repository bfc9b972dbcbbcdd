import type { ChildProcessByStdio } from 'node:child_process';
import type { Readable, Writable } from 'node:stream';

export interface ProcessOutput {
  stdout: string;
  stderr: string;
  /** The exit code; -1 when a signal ended the process. */
  code: number;
}

/** Everything a spawned process (stdout and stderr piped) wrote, once it has exited. */
export function outputOf(child: ChildProcessByStdio<Writable | null, Readable, Readable>): Promise<ProcessOutput> {
  return new Promise((resolve, reject) => {
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
    });
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    child.once('error', reject);
    child.once('close', (code) => resolve({ stdout, stderr, code: code ?? -1 }));
  });
}
