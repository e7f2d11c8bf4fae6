/**
 * The `app://bridge/` protocol: serves the built status page (dist-renderer/) from local files only, with the
 * CSP on every answer. Paths outside the build folder are refused; unknown page paths get index.html.
 */
import { readFile } from 'node:fs/promises';
import { extname, join, normalize, resolve, sep } from 'node:path';
import { APP_CSP, APP_HOST } from './security';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.json': 'application/json',
  '.woff2': 'font/woff2',
};

/** The file a request maps to, or undefined when it is not inside `root`. */
export function fileForUrl(root: string, url: string): string | undefined {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return undefined;
  }
  if (u.host !== APP_HOST) return undefined;
  let path: string;
  try {
    path = decodeURIComponent(u.pathname);
  } catch {
    return undefined;
  }
  if (path.includes('\0')) return undefined;
  const base = resolve(root);
  const file = resolve(base, '.' + normalize(path === '/' ? '/index.html' : path));
  if (file !== base && !file.startsWith(base + sep)) return undefined;
  return extname(file) === '' ? join(base, 'index.html') : file;
}

export function appProtocolHandler(root: string): (request: Request) => Promise<Response> {
  return async (request) => {
    const file = fileForUrl(root, request.url);
    const headers = { 'Content-Security-Policy': APP_CSP, 'X-Content-Type-Options': 'nosniff' };
    if (!file || request.method !== 'GET') return new Response('not found', { status: 404, headers });
    try {
      const body = await readFile(file);
      return new Response(body, {
        status: 200,
        headers: { ...headers, 'Content-Type': TYPES[extname(file)] ?? 'application/octet-stream' },
      });
    } catch {
      return new Response('not found', { status: 404, headers });
    }
  };
}
