import { spawn } from 'node:child_process';
import { appendFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';

export interface CommandOptions {
  /** Names the step in progress lines and errors, e.g. 'mmdebstrap (node base)'. */
  label: string;
  /** Where the command's stdout and stderr go, so a failure can point at the whole output. */
  logFile: string;
  log: (line: string) => void;
  env?: NodeJS.ProcessEnv;
  cwd?: string;
}

const progressIntervalMs = 15_000;
const tailLines = 25;

/**
 * Runs a build tool, keeping its (long) output in a log file and printing one progress line every
 * 15 s with its latest line, so CI shows the build is alive without drowning in dpkg chatter.
 * Fails with the command, its exit status and the end of its output. Resolves with its stdout.
 */
export function runCommand(command: string, args: string[], options: CommandOptions): Promise<string> {
  mkdirSync(dirname(options.logFile), { recursive: true });
  writeFileSync(options.logFile, `$ ${[command, ...args].join(' ')}\n`);
  return new Promise((resolve, reject) => {
    const startedAt = Date.now();
    const child = spawn(command, args, {
      cwd: options.cwd,
      env: options.env ?? process.env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let output = '';
    const keep = (chunk: string) => {
      output = (output + chunk).slice(-64_000);
      appendFileSync(options.logFile, chunk);
    };
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      stdout += chunk;
      keep(chunk);
    });
    child.stderr.setEncoding('utf8').on('data', keep);
    const progress = setInterval(() => {
      const seconds = Math.round((Date.now() - startedAt) / 1000);
      const latest = output.trimEnd().split('\n').at(-1)?.slice(0, 160) ?? '';
      options.log(`${options.label}: still running (${seconds}s) ${latest}`);
    }, progressIntervalMs);
    child.on('error', (err) => {
      clearInterval(progress);
      reject(new Error(`${options.label}: could not run ${command}: ${err.message}`));
    });
    child.on('close', (code, signal) => {
      clearInterval(progress);
      if (code === 0) {
        resolve(stdout);
        return;
      }
      const tail = output.trimEnd().split('\n').slice(-tailLines).join('\n');
      reject(
        new Error(
          `${options.label} failed (${signal ?? `exit ${code}`}): ${command} ${args.join(' ')}\n` +
            `--- last lines (all of it in ${options.logFile}) ---\n${tail}`,
        ),
      );
    });
  });
}
