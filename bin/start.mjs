#!/usr/bin/env node
// `npm start`: the desktop app on the built-in simulated terminal. Where Electron's runtime is not installed
// (it is downloaded on first use, which needs internet access), say so in one line and run the headless service
// with the same status page instead.
import { existsSync, readFileSync } from 'node:fs';
import { execFileSync, spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(import.meta.url);

// The status page and the desktop bundles are built by `npm ci`; after a source edit (or a clone without them)
// they are built again here, so the page served is never missing or older than its sources.
const { BUILDS, isStale } = await import('../scripts/build-stale.mjs');
if (BUILDS.some(isStale))
  execFileSync(process.execPath, [join(root, 'scripts', 'build-stale.mjs')], { stdio: 'inherit', cwd: root });

function electronBinary() {
  try {
    const pkgDir = dirname(require.resolve('electron/package.json'));
    const pathFile = join(pkgDir, 'path.txt');
    if (process.env.ELECTRON_OVERRIDE_DIST_PATH) {
      const bin = join(process.env.ELECTRON_OVERRIDE_DIST_PATH, 'electron');
      return existsSync(bin) ? bin : undefined;
    }
    if (!existsSync(pathFile)) return undefined;
    const bin = join(pkgDir, 'dist', readFileSync(pathFile, 'utf8').trim());
    return existsSync(bin) ? bin : undefined;
  } catch {
    return undefined;
  }
}

function run(cmd, args) {
  const child = spawn(cmd, args, { stdio: 'inherit', cwd: root });
  for (const sig of ['SIGINT', 'SIGTERM']) process.on(sig, () => child.kill(sig));
  child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
}

const electron = electronBinary();
const appEntry = join(root, 'dist-electron', 'main.cjs');
if (electron && existsSync(appEntry)) {
  run(electron, [root, '--demo']);
} else {
  const why = electron
    ? 'the desktop app is not built (run `npm run build`)'
    : "Electron's runtime is not installed on this machine";
  process.stdout.write(`register-bridge: ${why}; running the headless service with the simulated terminal instead.\n`);
  run(process.execPath, [join(root, 'bin', 'register-bridge.mjs'), 'serve', '--demo', ...process.argv.slice(2)]);
}
