/** Builds the status page with the project's vite.config.ts into a fresh folder (about a second), and weighs it. */
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { gzipSync } from 'node:zlib';
import { build } from 'vite';

/** The production JavaScript budget of the status page, gzipped. */
export const JS_GZIP_BUDGET_BYTES = 400 * 1024;

export async function buildRenderer(outDir: string = mkdtempSync(join(tmpdir(), 'rb-renderer-'))): Promise<string> {
  await build({
    configFile: resolve(import.meta.dirname, '..', '..', 'vite.config.ts'),
    logLevel: 'warn',
    build: { outDir, emptyOutDir: true },
  });
  return outDir;
}

export interface BuildWeight {
  /** Every JavaScript file of the build, relative to it. */
  readonly jsFiles: string[];
  readonly jsBytes: number;
  /** Sum of each file gzipped at level 9 (what a server with compression would send). */
  readonly jsGzipBytes: number;
  readonly cssBytes: number;
  readonly cssGzipBytes: number;
}

/** Sizes of a build's JavaScript and CSS, wherever in the build folder they are. */
export function weighBuild(outDir: string): BuildWeight {
  const w = { jsFiles: [] as string[], jsBytes: 0, jsGzipBytes: 0, cssBytes: 0, cssGzipBytes: 0 };
  for (const entry of readdirSync(outDir, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile()) continue;
    const file = join(entry.parentPath, entry.name);
    const isJs = /\.(?:m?js|cjs)$/.test(entry.name);
    const isCss = entry.name.endsWith('.css');
    if (!isJs && !isCss) continue;
    const body = readFileSync(file);
    const gz = gzipSync(body, { level: 9 }).length;
    if (isJs) {
      w.jsFiles.push(file.slice(outDir.length + 1));
      w.jsBytes += body.length;
      w.jsGzipBytes += gz;
    } else {
      w.cssBytes += body.length;
      w.cssGzipBytes += gz;
    }
  }
  return w;
}
