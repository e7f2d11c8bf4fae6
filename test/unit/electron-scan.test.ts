/**
 * The electronegativity gate (npm run scan:electron) over the real electron/ folder passes, and the same gate fails
 * on a window that turns the protections off — so a passing scan means something. Each scan waits ~5 s for
 * electronegativity's update check (offline here); the two run side by side.
 */
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';

const run = promisify(execFile);
const root = resolve(import.meta.dirname, '..', '..');
const script = join(root, 'scripts', 'scan-electron.mjs');
const work = mkdtempSync(join(tmpdir(), 'rb-scan-'));

afterAll(() => rmSync(work, { recursive: true, force: true }));

async function scan(args: string[]): Promise<{ code: number; out: string }> {
  try {
    const r = await run(process.execPath, [script, ...args], { cwd: root, timeout: 120_000 });
    return { code: 0, out: r.stdout + r.stderr };
  } catch (e) {
    const err = e as { code?: number; stdout?: string; stderr?: string };
    return { code: err.code ?? -1, out: `${err.stdout ?? ''}${err.stderr ?? ''}` };
  }
}

describe('electronegativity scan of the desktop shell', () => {
  it('finds nothing HIGH or MEDIUM that is not reviewed in electron/, and fails on an unsafe window', async () => {
    const unsafe = join(work, 'unsafe');
    mkdirSync(unsafe);
    writeFileSync(
      join(unsafe, 'main.ts'),
      "import { BrowserWindow } from 'electron';\nexport const w = new BrowserWindow({ webPreferences: { nodeIntegration: true, contextIsolation: false, sandbox: false, webSecurity: false } });\n",
    );
    const [good, bad] = await Promise.all([
      scan(['--out', join(work, 'good')]),
      scan(['--input', unsafe, '--out', join(work, 'bad')]),
    ]);
    expect(good.out, good.out).toContain('0 blocking');
    expect(good.out).toContain('0 files not scanned');
    expect(good.code, good.out).toBe(0);
    expect(bad.code, bad.out).toBe(1);
    expect(bad.out).toMatch(/FAIL\s+HIGH\s+CONTEXT_ISOLATION_JS_CHECK/);
    expect(bad.out).toMatch(/FAIL\s+MEDIUM\s+WEB_SECURITY_JS_CHECK/);
    // The global checks our shell satisfies (CSP, navigation limits, permission handler) fail without them.
    expect(bad.out).toMatch(/FAIL\s+HIGH\s+LIMIT_NAVIGATION_GLOBAL_CHECK/);
    expect(bad.out).toMatch(/FAIL\s+MEDIUM\s+CSP_GLOBAL_CHECK/);
    expect(good.out).not.toMatch(/LIMIT_NAVIGATION_GLOBAL_CHECK|PERMISSION_REQUEST_HANDLER_GLOBAL_CHECK/);
  }, 120_000);
});
