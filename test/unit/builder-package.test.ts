/**
 * The packaged app, built for real: the desktop build (`npm run build`: vite.config.ts, vite.main.config.ts,
 * vite.preload.config.ts) into a scratch folder, then `electron-builder --linux dir` with electron-builder.yml.
 * Electron's runtime cannot be downloaded here, so a stand-in folder takes its place (electronDist) and the fuses
 * (which patch the real Electron binary) are left out; everything else is the real configuration.
 *
 * Checked in the result: package.json's main, the preload the main process loads, the status page and its
 * assets, every module the main bundle requires at run time, the native binaries unpacked from the asar archive,
 * and the udev files for the deb.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFile } from 'node:child_process';
import {
  chmodSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { builtinModules, createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join, posix } from 'node:path';
import { promisify } from 'node:util';
import { build } from 'vite';
import { filePatterns, loadBuilderConfig, nativePackages, ROOT } from './builder-helpers';

const run = promisify(execFile);
const requireFromBuilder = createRequire(createRequire(import.meta.url).resolve('app-builder-lib/package.json'));
const asar = requireFromBuilder('@electron/asar') as {
  listPackage(archive: string, options: { isPack: boolean }): string[];
  extractFile(archive: string, file: string): Buffer;
};

let project: string;
let resources: string;
let archive: string;
let entries: Set<string>;

/** A file inside app.asar, read as text. */
const read = (file: string): string => asar.extractFile(archive, file).toString('utf8');
const has = (file: string): boolean => entries.has(`/${posix.normalize(file)}`);

beforeAll(async () => {
  project = mkdtempSync(join(tmpdir(), 'rb-package-'));
  // 1. The desktop build, as `npm run build` does it, into a scratch folder (the repository's own build outputs
  //    are left alone).
  await build({
    configFile: join(ROOT, 'vite.config.ts'),
    logLevel: 'warn',
    build: { outDir: join(project, 'dist-renderer'), emptyOutDir: true },
  });
  for (const cfg of ['vite.main.config.ts', 'vite.preload.config.ts']) {
    await build({
      configFile: join(ROOT, cfg),
      logLevel: 'warn',
      build: { outDir: join(project, 'dist-electron'), emptyOutDir: false },
    });
  }
  // 2. electron-builder.yml as it is, except: the build outputs come from the scratch folder (same place in the
  //    app), the stand-in for Electron, no fuses, output into the scratch folder. The project stays this
  //    repository, so node_modules and package-lock.json are read as `npm run dist` reads them.
  const electronDist = join(project, 'electron-stand-in');
  mkdirSync(electronDist);
  writeFileSync(join(electronDist, 'electron'), '#!/bin/sh\necho "stand-in for the Electron runtime"\n');
  chmodSync(join(electronDist, 'electron'), 0o755);
  const config = await loadBuilderConfig();
  delete config.electronFuses;
  const patterns = filePatterns(config);
  const outputs = ['dist-electron', 'dist-renderer'];
  for (const o of outputs) expect(patterns).toContain(`${o}/**`);
  const files = [
    ...patterns.filter((f) => !outputs.some((o) => f === `${o}/**`)),
    ...outputs.map((o) => ({
      from: join(project, o),
      to: o,
      filter: ['**/*', ...patterns.filter((f) => f.startsWith('!**/'))],
    })),
  ];
  writeFileSync(
    join(project, 'builder.json'),
    JSON.stringify({
      ...config,
      files,
      electronDist,
      directories: { ...(config.directories as object), output: join(project, 'release') },
    }),
  );
  // 3. Package.
  const cli = createRequire(import.meta.url).resolve('electron-builder/cli.js');
  await run(
    process.execPath,
    [cli, '--linux', 'dir', '--projectDir', ROOT, '--config', join(project, 'builder.json'), '--publish', 'never'],
    {
      cwd: ROOT,
      maxBuffer: 16 * 1024 * 1024,
    },
  );
  resources = join(project, 'release', 'linux-unpacked', 'resources');
  archive = join(resources, 'app.asar');
  entries = new Set(asar.listPackage(archive, { isPack: false }).map((e) => e.replace(/\\/g, '/')));
}, 240_000);

afterAll(() => {
  if (project) rmSync(project, { recursive: true, force: true });
});

describe('the packaged app (electron-builder --linux dir)', () => {
  it("contains package.json's main entry", () => {
    const pkg = JSON.parse(read('package.json')) as { main: string; productName?: string };
    expect(pkg.main).toBe('dist-electron/main.cjs');
    expect(has(pkg.main)).toBe(true);
    expect(pkg.productName).toBe('Register Bridge');
  });

  it('contains the preload script the main process loads', () => {
    const main = read('dist-electron/main.cjs');
    const preloads = [...new Set([...main.matchAll(/["'](preload[\w.-]*\.c?js)["']/g)].map((m) => m[1]!))];
    expect(preloads.length).toBeGreaterThan(0);
    for (const p of preloads) expect(has(`dist-electron/${p}`), p).toBe(true);
  });

  it('contains the status page and every file its index.html loads', () => {
    expect(has('dist-renderer/index.html')).toBe(true);
    const html = read('dist-renderer/index.html');
    const refs = [...html.matchAll(/(?:src|href)="([^"]+)"/g)]
      .map((m) => m[1]!)
      .filter((r) => !/^(https?:|data:|#)/.test(r));
    expect(refs.length).toBeGreaterThan(0);
    for (const r of refs) expect(has(posix.join('dist-renderer', r)), r).toBe(true);
  });

  it('contains every module the main bundle requires at run time', () => {
    const main = read('dist-electron/main.cjs');
    const builtins = new Set([...builtinModules, 'electron']);
    const required = [...new Set([...main.matchAll(/require\(["']([^"'./][^"']*)["']\)/g)].map((m) => m[1]!))]
      .filter((m) => !m.startsWith('node:') && !builtins.has(m.split('/')[0]!))
      .map((m) => (m.startsWith('@') ? m.split('/').slice(0, 2).join('/') : m.split('/')[0]!));
    expect(required).toEqual(expect.arrayContaining(['libsql']));
    const missing = required.filter((m) => !has(`node_modules/${m}/package.json`));
    expect(missing, 'modules main.cjs requires but the app does not contain').toEqual([]);
  });

  it('unpacks every native binary next to the archive', () => {
    const unpacked = join(resources, 'app.asar.unpacked');
    const binaries = nativePackages().flatMap((n) => n.binaries);
    expect(binaries.length).toBeGreaterThan(0);
    for (const b of binaries) expect(existsSync(join(unpacked, b)), b).toBe(true);
    // and they are marked as unpacked in the archive, so Electron loads them from there
    for (const b of binaries) expect(has(b), b).toBe(true);
  });

  it('leaves out what only the command line needs (tsx, esbuild) and the TypeScript sources', () => {
    expect(has('node_modules/tsx/package.json')).toBe(false);
    expect(has('node_modules/esbuild/package.json')).toBe(false);
    expect([...entries].some((e) => e.startsWith('/src/'))).toBe(false);
  });

  it('carries the udev files the deb installs', () => {
    const script = join(resources, 'udev', 'install-device-access.sh');
    expect(existsSync(script)).toBe(true);
    expect(statSync(script).mode & 0o111).not.toBe(0);
    const rules = existsSync(join(ROOT, 'docs', 'udev'))
      ? readdirSync(join(ROOT, 'docs', 'udev')).filter((f) => f.endsWith('.rules'))
      : [];
    for (const r of rules)
      expect(readFileSync(join(resources, 'udev', r), 'utf8')).toBe(
        readFileSync(join(ROOT, 'docs', 'udev', r), 'utf8'),
      );
  });
});
