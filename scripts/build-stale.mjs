#!/usr/bin/env node
/**
 * Builds what `npm start` and `npm run serve` need and is missing or older than its sources: the status page
 * (dist-renderer/), the desktop bundles (dist-electron/) and the headless command (dist-cli/). `npm ci` runs it
 * (the `prepare` script), and so does `npm start` before it starts, so the first command on a fresh clone shows
 * the real status page, and an edited source is never served from an old build.
 *
 * Without the development dependencies (`npm ci --omit=dev`) there is no bundler: it says so and leaves the
 * command to run from the sources through tsx (the status page then says it is not built).
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

/** Newest modification time (ms) of the files under `paths` (files or folders), 0 when none exists. */
export function newest(paths) {
  let t = 0;
  for (const p of paths) {
    if (!existsSync(p)) continue;
    const st = statSync(p);
    if (st.isFile()) t = Math.max(t, st.mtimeMs);
    else
      for (const e of readdirSync(p, { recursive: true, withFileTypes: true }))
        if (e.isFile()) t = Math.max(t, statSync(join(e.parentPath, e.name)).mtimeMs);
  }
  return t;
}

/** The builds, each with its output (whose age counts) and the sources it is made from. */
export const BUILDS = [
  {
    name: 'status page',
    output: join(root, 'dist-renderer', 'index.html'),
    sources: ['renderer', 'src', 'vite.config.ts'].map((p) => join(root, p)),
    configs: ['vite.config.ts'],
  },
  {
    name: 'desktop bundles',
    output: join(root, 'dist-electron', 'main.cjs'),
    sources: ['electron', 'src', 'vite.main.config.ts', 'vite.preload.config.ts'].map((p) => join(root, p)),
    configs: ['vite.main.config.ts', 'vite.preload.config.ts'],
  },
];

export function isStale(b) {
  return !existsSync(b.output) || statSync(b.output).mtimeMs < newest(b.sources);
}

async function main() {
  let vite;
  try {
    vite = await import('vite');
  } catch {
    process.stdout.write(
      'register-bridge: vite is not installed (development dependencies omitted); the status page and desktop bundles are not built\n',
    );
  }
  if (vite) {
    for (const b of BUILDS) {
      if (!isStale(b)) continue;
      const started = performance.now();
      for (const config of b.configs) await vite.build({ configFile: join(root, config), logLevel: 'error' });
      process.stdout.write(`register-bridge: built the ${b.name} in ${Math.round(performance.now() - started)} ms\n`);
    }
  }
  // The command's bundle checks its own inputs (scripts/build-cli.mjs); rebuilding it is cheap.
  execFileSync(process.execPath, [join(root, 'scripts', 'build-cli.mjs')], { stdio: 'inherit' });
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) await main();
