import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

export interface NodeBaseRecipe {
  /** The official image the Dockerfile names, e.g. docker.io/library/node:24.21.0-bookworm-slim. */
  reference: string;
  nodeVersion: string;
  /** The Debian release of the official image's tag. */
  suite: string;
  /** The npm the official image of this Node release ships (the release bundles it). */
  npmVersion: string;
  /** The pinned Node binary (the npm `node` package's). */
  nodeBinary: string;
}

/**
 * What the stand-in for the Dockerfile's base must be: the Node version from its FROM lines,
 * which must be the version the project pins (node_modules/node), and the npm that Node
 * release bundles, read from the release's own changelog.
 */
export function readNodeBase(repoRoot: string): NodeBaseRecipe {
  const dockerfile = readFileSync(join(repoRoot, 'Dockerfile'), 'utf8');
  const bases = [...dockerfile.matchAll(/^FROM\s+(\S+)/gim)].map((match) => match[1] as string);
  const distinct = [...new Set(bases)];
  const match = distinct.length === 1 ? /^node:(\d+\.\d+\.\d+)-([a-z]+)-slim$/.exec(distinct[0] as string) : null;
  if (!match) {
    throw new Error(
      `Dockerfile: expected every stage FROM node:<version>-<debian release>-slim, found ${distinct.join(', ')}`,
    );
  }
  const [, nodeVersion = '', suite = ''] = match;
  const pinnedPackage = join(repoRoot, 'node_modules', 'node');
  const pinned = (JSON.parse(readFileSync(join(pinnedPackage, 'package.json'), 'utf8')) as { version: string }).version;
  if (pinned !== nodeVersion) {
    throw new Error(`Dockerfile builds on node ${nodeVersion} but the project pins node ${pinned} (run npm ci)`);
  }
  return {
    reference: `docker.io/library/node:${nodeVersion}-${suite}-slim`,
    nodeVersion,
    suite,
    npmVersion: bundledNpmVersion(pinnedPackage, nodeVersion),
    nodeBinary: join(pinnedPackage, 'bin', 'node'),
  };
}

/** Node's changelog lists releases newest first; the first npm upgrade at or below ours is the npm it ships. */
function bundledNpmVersion(pinnedPackage: string, nodeVersion: string): string {
  const platformPackage = `node-${process.platform}-${process.arch}`;
  const changelog = [
    join(pinnedPackage, 'node_modules', platformPackage, 'CHANGELOG.md'),
    join(pinnedPackage, '..', platformPackage, 'CHANGELOG.md'),
  ].find((file) => existsSync(file));
  // The node package installs it in its postinstall, unsaved: a later `npm install <pkg>` prunes it.
  if (!changelog) throw new Error(`no ${platformPackage}/CHANGELOG.md next to the pinned node package (run npm ci)`);
  const text = readFileSync(changelog, 'utf8');
  const release = text.indexOf(`<a id="${nodeVersion}"></a>`);
  const npmVersion = release === -1 ? undefined : /upgrade npm to (\d+\.\d+\.\d+)/.exec(text.slice(release))?.[1];
  if (!npmVersion) throw new Error(`${changelog} does not say which npm Node ${nodeVersion} ships`);
  return npmVersion;
}
