import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { extname, join, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Context, Middleware } from 'koa';

export const studioPath = '/studio';
/** Where `npm run studio:build` writes Studio (studio/dist, gitignored). */
export const defaultStudioDir = fileURLToPath(new URL('../../studio/dist/', import.meta.url));
export const studioBuildCommand = 'npm run studio:build';

// Studio's pages run only what the API serves: no inline script or style, no other origin
// (DESIGN.md decision 11). The same headers go on every Studio response, error pages included.
const studioSecurityHeaders = {
  'Content-Security-Policy':
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; " +
    "object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'",
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'no-referrer',
};

const contentTypes: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.json': 'application/json',
};

/**
 * Serves Studio from `studioDir` on the API's own origin: `/` and `/studio` redirect to
 * `/studio/`; Vite's content-hashed files under `/studio/assets/` are cached for good; any other
 * path under `/studio/` is a client route and gets index.html, revalidated on every load so a new
 * build is picked up at once.
 */
export function serveStudio(options: { studioDir?: string } = {}): Middleware {
  const root = resolve(options.studioDir ?? defaultStudioDir);
  return async (ctx, next) => {
    if (ctx.method !== 'GET' && ctx.method !== 'HEAD') return next();
    if (ctx.path === '/' || ctx.path === studioPath) {
      ctx.set(studioSecurityHeaders);
      ctx.redirect(`${studioPath}/`);
      return;
    }
    if (!ctx.path.startsWith(`${studioPath}/`)) return next();
    ctx.set(studioSecurityHeaders);
    const relative = ctx.path.slice(studioPath.length + 1);
    if (relative.startsWith('assets/')) {
      // Within assets/ only: `assets/../x` names a file of the build that is not an asset.
      const file = await fileWithin(join(root, 'assets'), relative.slice('assets/'.length));
      if (!file) return next(); // the error envelope's 404
      sendFile(ctx, file, 'public, max-age=31536000, immutable');
      return;
    }
    const index = await fileWithin(root, 'index.html');
    if (!index) {
      answerStudioNotBuilt(ctx, root);
      return;
    }
    sendFile(ctx, index, 'no-cache');
  };
}

/** The regular file at `relative` under `root`, or undefined (missing, a folder, or outside root). */
async function fileWithin(root: string, relative: string): Promise<{ path: string; size: number } | undefined> {
  const path = resolve(join(root, relative));
  if (!path.startsWith(root + sep)) return undefined;
  const info = await stat(path).catch(() => undefined);
  return info?.isFile() ? { path, size: info.size } : undefined;
}

function sendFile(ctx: Context, file: { path: string; size: number }, cacheControl: string): void {
  ctx.status = 200;
  ctx.set('Cache-Control', cacheControl);
  // A HEAD gets the headers only: koa sends no body for it, and an opened stream would leak.
  if (ctx.method !== 'HEAD') ctx.body = createReadStream(file.path);
  ctx.type = contentTypes[extname(file.path)] ?? 'application/octet-stream';
  ctx.length = file.size;
}

// A clone run without its build step (node api/main.ts directly) still tells a person what to do.
function answerStudioNotBuilt(ctx: Context, root: string): void {
  ctx.status = 503;
  ctx.set('Cache-Control', 'no-store');
  ctx.set('Retry-After', '30');
  ctx.type = 'text/html; charset=utf-8';
  ctx.body = [
    '<!doctype html>',
    '<html lang="en"><head><meta charset="utf-8"><title>Studio is not built</title></head><body>',
    '<h1>Studio is not built</h1>',
    `<p>This API serves Studio from <code>${escapeHtml(root)}</code>, which holds no build.`,
    `Run <code>${studioBuildCommand}</code> in the repository (<code>npm start</code> does it for you), then reload.</p>`,
    '</body></html>',
  ].join('\n');
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}
