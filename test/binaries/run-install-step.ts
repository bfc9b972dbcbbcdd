import { spawn } from 'node:child_process';
import { outputOf } from '../support/output-of.ts';

/**
 * Runs one step of installing a test dependency from PyPI and returns its stdout; a failure
 * names the command and what it wrote. Packages come from PyPI through pip's ordinary
 * configuration and from nowhere else: a local wheel folder (PIP_FIND_LINKS) is switched off so
 * every machine installs the same files.
 */
export async function runInstallStep(command: string, args: string[]): Promise<string> {
  const { PIP_FIND_LINKS: _localWheels, ...env } = process.env;
  const { stdout, stderr, code } = await outputOf(spawn(command, args, { env: { ...env, PIP_NO_INPUT: '1' } }));
  if (code !== 0) {
    throw new Error(`${command} ${args.join(' ')} failed with exit code ${code}:\n${(stderr || stdout).trim()}`);
  }
  return stdout;
}
