/**
 * The desktop app as it ships, built into a temporary app folder for the fake-Electron tests: dist-electron/
 * (main.cjs and preload.cjs, from the project's own vite configs), dist-renderer/ (the status page), the project's
 * package.json (Electron takes the app's name from it) and a link to node_modules (the main bundle loads its
 * native and run-time-loading modules from there). Each test file builds its own folder: nothing is shared with
 * other tests running at the same time.
 */
import { copyFileSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { build } from 'vite';

export const PROJECT_ROOT = resolve(import.meta.dirname, '..', '..', '..');

export interface BuiltApp {
  /** What app.getAppPath() answers: the folder with package.json, dist-electron/ and dist-renderer/. */
  readonly appPath: string;
  readonly mainBundle: string;
  readonly preloadBundle: string;
  remove(): void;
}

export async function buildDesktopApp(): Promise<BuiltApp> {
  const appPath = mkdtempSync(join(tmpdir(), 'rb-fake-electron-app-'));
  const electronOut = join(appPath, 'dist-electron');
  for (const config of ['vite.main.config.ts', 'vite.preload.config.ts']) {
    await build({
      configFile: join(PROJECT_ROOT, config),
      logLevel: 'warn',
      build: { outDir: electronOut, emptyOutDir: false },
    });
  }
  await build({
    configFile: join(PROJECT_ROOT, 'vite.config.ts'),
    logLevel: 'warn',
    build: { outDir: join(appPath, 'dist-renderer'), emptyOutDir: true },
  });
  copyFileSync(join(PROJECT_ROOT, 'package.json'), join(appPath, 'package.json'));
  symlinkSync(join(PROJECT_ROOT, 'node_modules'), join(appPath, 'node_modules'), 'dir');
  return {
    appPath,
    mainBundle: join(electronOut, 'main.cjs'),
    preloadBundle: join(electronOut, 'preload.cjs'),
    remove: () => rmSync(appPath, { recursive: true, force: true }),
  };
}
