/** Builds the status page with the project's vite.config.ts into a fresh folder (about a second). */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { build } from 'vite';

export async function buildRenderer(outDir: string = mkdtempSync(join(tmpdir(), 'rb-renderer-'))): Promise<string> {
  await build({
    configFile: resolve(import.meta.dirname, '..', '..', 'vite.config.ts'),
    logLevel: 'warn',
    build: { outDir, emptyOutDir: true },
  });
  return outDir;
}
