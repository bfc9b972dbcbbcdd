import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { runCommand } from './run-command.ts';

export interface DebianRootfsRequest {
  /** Debian release, e.g. bookworm (the stand-in base's tag names it). */
  suite: string;
  /** Packages beyond the minimal base (Essential + apt). */
  include?: string[];
  /** mmdebstrap hooks: shell run on the host with the root filesystem's path as "$1". */
  essentialHooks?: string[];
  customizeHooks?: string[];
  /** The tar file to write. */
  output: string;
  label: string;
  logFile: string;
  log: (line: string) => void;
}

// What the official -slim images leave out too (debuerreotype's slimify): manuals, docs but
// their copyright files, translations. Less to copy into every layer, nothing a program needs.
const slimDpkgOptions = [
  'path-exclude=/usr/share/man/*',
  'path-exclude=/usr/share/info/*',
  'path-exclude=/usr/share/doc/*',
  'path-include=/usr/share/doc/*/copyright',
  'path-exclude=/usr/share/locale/*',
  'path-exclude=/usr/share/lintian/*',
];

/**
 * A minimal Debian root filesystem as a tar file, made by mmdebstrap from Debian's packages:
 * what the official images are made of, built here because no registry is reachable.
 */
export async function makeDebianRootfs(request: DebianRootfsRequest): Promise<void> {
  const args = [
    '--variant=minbase',
    '--format=tar',
    ...slimDpkgOptions.map((option) => `--dpkgopt=${option}`),
    ...(request.include?.length ? [`--include=${request.include.join(',')}`] : []),
    ...(request.essentialHooks ?? []).map((hook) => `--essential-hook=${hook}`),
    ...(request.customizeHooks ?? []).map((hook) => `--customize-hook=${hook}`),
    request.suite,
    request.output,
    ...debianSources(request.suite),
  ];
  await runCommand('mmdebstrap', args, { label: request.label, logFile: request.logFile, log: request.log });
}

/**
 * The machine's own apt sources for this Debian release (its mirror, its proxy-friendly URIs),
 * else Debian's public mirror: the release, its updates and its security fixes.
 */
function debianSources(suite: string): string[] {
  const folder = '/etc/apt/sources.list.d';
  const candidates = [
    '/etc/apt/sources.list',
    ...(existsSync(folder)
      ? readdirSync(folder)
          .filter((name) => name.endsWith('.list') || name.endsWith('.sources'))
          .map((name) => join(folder, name))
      : []),
  ];
  const mentionsSuite = new RegExp(`(^|\\s)${suite}(\\s|$)`, 'm');
  const machineSources = candidates.filter((file) => {
    if (!existsSync(file)) return false;
    const text = readFileSync(file, 'utf8');
    return /https?:\/\/\S*debian\S*/.test(text) && mentionsSuite.test(text);
  });
  if (machineSources.length > 0) return machineSources;
  return [
    `deb http://deb.debian.org/debian ${suite} main`,
    `deb http://deb.debian.org/debian ${suite}-updates main`,
    `deb http://deb.debian.org/debian-security ${suite}-security main`,
  ];
}
