#!/usr/bin/env node
// `npm start`: the desktop app on the built-in simulated terminal. Where Electron's runtime is not installed
// (it is downloaded on first use, which needs internet access), say so in one line and run the headless service
// with the same status page instead.
import { existsSync, readFileSync } from 'node:fs';
import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(import.meta.url);

function electronBinary() {
  try {
    const pkgDir = dirname(require.resolve('electron/package.json'));
    const pathFile = join(pkgDir, 'path.txt');
    if (process.env.ELECTRON_OVERRIDE_DIST_PATH) return join(process.env.ELECTRON_OVERRIDE_DIST_PATH, 'electron');
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
  const why = electron ? 'the desktop app is not built (run `npm run build`)' : "Electron's runtime is not installed on this machine";
  process.stdout.write(`register-bridge: ${why}; running the headless service with the simulated terminal instead.\n`);
  run(process.execPath, [join(root, 'bin', 'register-bridge.mjs'), 'serve', '--demo', ...process.argv.slice(2)]);
}
