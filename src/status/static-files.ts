/**
 * The built status page (the renderer's Vite output) served as static files. Only files inside the build folder
 * are served; unknown paths that look like pages get index.html (the page routes itself). When the page is not
 * built, a one-line page says how to build it.
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { dirname, extname, join, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.txt': 'text/plain; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
};

export const NOT_BUILT_PAGE =
  '<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Register Bridge</title></head>' +
  '<body><p>The status page is not built yet: run <code>npm run build</code> and reload.</p></body></html>\n';

/**
 * The renderer build folder: `dist-renderer/` at the project root, the nearest folder above this module with a
 * package.json (src/status/ when run from sources, dist-electron/ inside the desktop app's bundle).
 */
export function defaultRendererDir(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 5; i++) {
    if (existsSync(join(dir, 'package.json'))) return join(dir, 'dist-renderer');
    dir = dirname(dir);
  }
  return resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', 'dist-renderer');
}

export interface StaticAnswer {
  readonly status: number;
  readonly type: string;
  readonly body: Buffer | string;
  /** Hashed assets may be cached by the browser. */
  readonly immutable: boolean;
}

export function staticFile(root: string, urlPath: string): StaticAnswer | undefined {
  const base = resolve(root);
  const index = join(base, 'index.html');
  if (!existsSync(index)) return { status: 200, type: TYPES['.html']!, body: NOT_BUILT_PAGE, immutable: false };
  let decoded: string;
  try {
    decoded = decodeURIComponent(urlPath);
  } catch {
    return undefined;
  }
  if (decoded.includes('\0')) return undefined;
  const wanted = resolve(base, '.' + (decoded.endsWith('/') ? decoded + 'index.html' : decoded));
  if (wanted !== base && !wanted.startsWith(base + sep)) return undefined;
  if (wanted.split(sep).some((part) => part.startsWith('.') && part.length > 1)) return undefined;
  if (existsSync(wanted) && statSync(wanted).isFile()) {
    return {
      status: 200,
      type: TYPES[extname(wanted).toLowerCase()] ?? 'application/octet-stream',
      body: readFileSync(wanted),
      immutable: wanted.startsWith(join(base, 'assets') + sep),
    };
  }
  // A page path (no extension) gets the app; a missing asset is a 404.
  if (extname(decoded) === '')
    return { status: 200, type: TYPES['.html']!, body: readFileSync(index), immutable: false };
  return undefined;
}
