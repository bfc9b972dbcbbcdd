import { spawnSync } from 'node:child_process';

export interface RequiredTool {
  command: string;
  /** The Debian package that provides it; undefined where apt has no fitting one (go). */
  aptPackage: string | undefined;
  /** Why the build needs it, for the error when it is missing. */
  purpose: string;
}

export class MissingBuildTool extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'MissingBuildTool';
  }
}

const isOnPath = (command: string) => spawnSync('sh', ['-c', `command -v ${command}`]).status === 0;

/**
 * Makes sure every tool is on PATH: as root on a Debian-like machine, missing ones are installed
 * with apt-get (the build cannot work without them, and they are ordinary distribution packages);
 * otherwise, or if that fails, it throws naming each missing tool, its package and what it is for.
 */
export function requireTools(tools: RequiredTool[], log: (line: string) => void): void {
  const missing = tools.filter((tool) => !isOnPath(tool.command));
  if (missing.length === 0) return;
  const installable = missing.filter((tool) => tool.aptPackage !== undefined);
  const canInstall = process.getuid?.() === 0 && isOnPath('apt-get') && installable.length > 0;
  if (canInstall) {
    const packages = [...new Set(installable.map((tool) => tool.aptPackage as string))];
    log(
      `installing ${packages.join(', ')} with apt-get (missing: ${installable.map((tool) => tool.command).join(', ')})`,
    );
    const install = () =>
      spawnSync('apt-get', ['install', '--yes', '--no-install-recommends', ...packages], {
        stdio: ['ignore', 'inherit', 'inherit'],
        env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
      }).status === 0;
    if (!install()) {
      log('apt-get install failed; running apt-get update and trying once more');
      spawnSync('apt-get', ['update'], { stdio: ['ignore', 'inherit', 'inherit'] });
      install();
    }
  }
  const stillMissing = tools.filter((tool) => !isOnPath(tool.command));
  if (stillMissing.length === 0) return;
  const lines = stillMissing.map(
    (tool) =>
      `  ${tool.command} (${tool.aptPackage ? `Debian package ${tool.aptPackage}` : 'no Debian package fits: install it yourself'}): ${tool.purpose}`,
  );
  throw new MissingBuildTool(
    `npm run image needs these tools, and they are not on PATH${canInstall ? ' even after apt-get install' : ''}:\n${lines.join('\n')}`,
  );
}
