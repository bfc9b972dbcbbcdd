import { lstat, realpath } from 'node:fs/promises';
import { basename, dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import { ToolError } from './tool-types.ts';

/**
 * Resolves a model-supplied path to a real path inside one of `allowedPaths`, or throws ToolError
 * 'refused'. Symlinks are resolved before the check, so a link inside an allowed directory that
 * points outside it is refused like a `..` escape. A relative path is taken from the first allowed
 * path. For writing, the file may not exist yet: its nearest existing ancestor is resolved
 * instead, and the returned path is under that ancestor's real path.
 */
export async function resolveConfinedPath(request: {
  tool: string;
  path: string;
  allowedPaths: string[];
  forWriting: boolean;
}): Promise<string> {
  const { tool, path } = request;
  if (request.allowedPaths.length === 0) {
    throw new ToolError('refused', `${tool} has no allowed_paths configured, so it may not touch any file`);
  }
  if (path.includes('\0')) throw new ToolError('invalid_input', 'path: contains a NUL byte');
  const roots = await existingRoots(request.allowedPaths);
  if (roots.length === 0) throw new ToolError('refused', `none of the allowed_paths of ${tool} exists`);

  const lexical = resolve(roots[0]?.real ?? '', path);
  if (!roots.some((root) => isInside(lexical, root.real) || isInside(lexical, root.given))) {
    throw new ToolError('refused', `${path} is outside the allowed_paths of ${tool}`);
  }
  const existing = request.forWriting ? undefined : await existingRealPath(lexical);
  // A missing file is judged by where it would be, so "no such file" never describes a place outside.
  const real = existing ?? (await realPathForWriting(lexical));
  if (!roots.some((root) => isInside(real, root.real))) {
    throw new ToolError(
      'refused',
      `${path} resolves through a symlink to a place outside the allowed_paths of ${tool}`,
    );
  }
  if (!request.forWriting && existing === undefined) throw new ToolError('failed', `no such file: ${path}`);
  return real;
}

async function existingRoots(allowedPaths: string[]): Promise<{ given: string; real: string }[]> {
  const roots = await Promise.all(
    allowedPaths.map(async (allowed) => {
      const given = resolve(allowed);
      try {
        return { given, real: await realpath(given) };
      } catch {
        return undefined;
      }
    }),
  );
  return roots.filter((root) => root !== undefined);
}

async function existingRealPath(lexical: string): Promise<string | undefined> {
  try {
    return await realpath(lexical);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
}

async function realPathForWriting(lexical: string): Promise<string> {
  let existing = lexical;
  const missing: string[] = [];
  for (;;) {
    try {
      await lstat(existing);
      break;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
      missing.unshift(basename(existing));
      existing = dirname(existing);
    }
  }
  // realpath fails on a dangling symlink, which would otherwise let a write create a file anywhere.
  let real: string;
  try {
    real = await realpath(existing);
  } catch {
    throw new ToolError('refused', `${lexical} is a symlink to a missing target`);
  }
  return join(real, ...missing);
}

function isInside(candidate: string, root: string): boolean {
  const rel = relative(root, candidate);
  return rel === '' || (rel !== '..' && !rel.startsWith(`..${sep}`) && !isAbsolute(rel));
}
