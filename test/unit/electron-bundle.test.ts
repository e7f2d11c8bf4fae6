/**
 * The desktop builds: the preload is ONE CommonJS file that requires only 'electron' and node: built-ins (a
 * sandboxed preload cannot load anything else), and the main bundle requires only Electron, Node built-ins and the
 * modules deliberately left in node_modules (native N-API modules, pino, ws).
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { build } from 'vite';

const root = resolve(import.meta.dirname, '..', '..');
let out: string;

/** Every module a CommonJS bundle loads: require("x") and import("x"). */
function loads(code: string): string[] {
  return [...code.matchAll(/\b(?:require|import)\(\s*["'`]([^"'`]+)["'`]\s*\)/g)].map((m) => m[1]!);
}

beforeAll(async () => {
  out = mkdtempSync(join(tmpdir(), 'rb-electron-build-'));
  for (const config of ['vite.preload.config.ts', 'vite.main.config.ts']) {
    await build({ configFile: join(root, config), logLevel: 'warn', build: { outDir: out, emptyOutDir: false } });
  }
});

afterAll(() => rmSync(out, { recursive: true, force: true }));

describe('desktop bundles', () => {
  it('builds exactly main.cjs and preload.cjs', () => {
    expect(readdirSync(out).sort()).toEqual(['main.cjs', 'preload.cjs']);
  });

  it('bundles the preload into one CommonJS file that requires only electron and node: built-ins', () => {
    const code = readFileSync(join(out, 'preload.cjs'), 'utf8');
    const required = loads(code);
    expect(required).toContain('electron');
    expect(required.filter((m) => m !== 'electron' && !m.startsWith('node:'))).toEqual([]);
    expect(code).not.toMatch(/\bimport\s+[^(]/);
    expect(code).not.toMatch(/^export\s/m);
    expect(code).toContain('exposeInMainWorld');
  });

  it('leaves only Electron, Node built-ins and the native / run-time-loading modules outside the main bundle', () => {
    const code = readFileSync(join(out, 'main.cjs'), 'utf8');
    const allowed = new Set(['electron', 'libsql', 'serialport', 'node-hid', 'usb', 'pino', 'ws', ...builtinModules]);
    const outside = [...new Set(loads(code))].filter(
      (m) => !m.startsWith('node:') && !allowed.has(m) && !m.startsWith('@serialport/') && !m.startsWith('@libsql/'),
    );
    expect(outside).toEqual([]);
    // The core is inside the bundle, not loaded from TypeScript sources.
    expect(code).toContain('startService');
    expect(loads(code).some((m) => m.endsWith('.ts'))).toBe(false);
  });

  it('loads the native modules through require (createRequire), never through a dynamic import() from app.asar', () => {
    const code = readFileSync(join(out, 'main.cjs'), 'utf8');
    const imported = [...code.matchAll(/\bimport\(\s*["'`]([^"'`]+)["'`]\s*\)/g)].map((m) => m[1]!);
    expect(
      imported.filter((m) => ['serialport', 'node-hid', 'usb', 'libsql'].includes(m) || m.startsWith('@serialport/')),
    ).toEqual([]);
    for (const native of ['serialport', 'node-hid', 'usb'])
      expect(code, native).toMatch(new RegExp(`createRequire\\)\\([^;]*?\\)\\("${native}"\\)`));
  });
});
