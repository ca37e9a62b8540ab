import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, extname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The page's files: what `npm run build` put in dist/web (index.html, style.css, the compiled page in app/, and
 * the browser builds of Preact and d3-hierarchy copied from node_modules to vendor/). They are read once into
 * memory and served by exact path, so nothing outside that folder can ever be named by a URL, and the emulator
 * needs neither a static-file plugin nor the network (no CDN: the UI works offline).
 */

export interface Asset { body: Buffer; type: string; etag: string }

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8', '.css': 'text/css; charset=utf-8', '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8', '.map': 'application/json; charset=utf-8', '.json': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml', '.png': 'image/png', '.ico': 'image/x-icon', '.txt': 'text/plain; charset=utf-8',
  '': 'text/plain; charset=utf-8', // LICENSE
};

const here = dirname(fileURLToPath(import.meta.url));

/** dist/web, found from dist/ui (the built server) or src/ui (tests run from sources after `npm run build`). */
export function webRoot(): string | null {
  for (const dir of [resolve(here, '../web'), resolve(here, '../../dist/web')]) {
    if (existsSync(join(dir, 'index.html'))) return dir;
  }
  return null;
}

function walk(dir: string, out: string[] = []): string[] {
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) walk(p, out);
    else out.push(p);
  }
  return out;
}

/** Every file under `root`, keyed by its URL path relative to the UI's base (`app/main.js`). */
export function loadAssets(root: string): Map<string, Asset> {
  const assets = new Map<string, Asset>();
  for (const file of walk(root)) {
    const type = TYPES[extname(file)];
    if (!type) continue;
    const body = readFileSync(file);
    const key = relative(root, file).split(sep).join('/');
    assets.set(key, { body, type, etag: `"${createHash('sha1').update(body).digest('base64url')}"` });
  }
  return assets;
}

/** The Content-Security-Policy of the page: only its own files, plus the inline import map by its hash. */
export function contentSecurityPolicy(indexHtml: string): string {
  const hashes = [...indexHtml.matchAll(/<script type="importmap">([\s\S]*?)<\/script>/g)]
    .map((m) => `'sha256-${createHash('sha256').update(m[1]!).digest('base64')}'`);
  return [
    "default-src 'self'", `script-src 'self' ${hashes.join(' ')}`.trim(), "style-src 'self' 'unsafe-inline'", "img-src 'self' data:",
    "connect-src 'self'", "object-src 'none'", "base-uri 'self'", "frame-ancestors 'none'", "form-action 'self'",
  ].join('; ');
}
