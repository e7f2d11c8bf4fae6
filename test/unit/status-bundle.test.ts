/**
 * The status page's production build stays under its JavaScript budget (400 kB gzipped). Sizes of a build are
 * deterministic, so this is a plain assertion; how fast the page shows the dashboard is measured by
 * `npm run bench:ui`, not here.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildRenderer, JS_GZIP_BUDGET_BYTES, weighBuild } from '../e2e/build-renderer';

let out: string;
let scratch: string;

beforeAll(async () => {
  out = await buildRenderer();
  scratch = mkdtempSync(join(tmpdir(), 'rb-weigh-'));
}, 120_000);

afterAll(() => {
  if (out) rmSync(out, { recursive: true, force: true });
  if (scratch) rmSync(scratch, { recursive: true, force: true });
});

describe('status page build', () => {
  it('ships under 400 kB of JavaScript gzipped, all of it loaded by index.html', () => {
    const w = weighBuild(out);
    expect(w.jsFiles.length).toBeGreaterThan(0);
    // React and the views are in the build: a near-empty bundle would mean a broken build, not a small one.
    expect(w.jsGzipBytes).toBeGreaterThan(40 * 1024);
    expect(w.jsGzipBytes, `${w.jsGzipBytes} bytes gzipped`).toBeLessThan(JS_GZIP_BUDGET_BYTES);
    const html = readFileSync(join(out, 'index.html'), 'utf8');
    expect(html).toMatch(/<script type="module"[^>]*src="\.\/assets\/[^"]+\.js"/);
  });

  it('weighs every JavaScript file of a build, nested or not, gzipped', () => {
    mkdirSync(join(scratch, 'assets', 'chunks'), { recursive: true });
    const a = Buffer.from('export const a = "' + 'x'.repeat(5000) + '";\n');
    const b = Buffer.from(Array.from({ length: 2000 }, (_, i) => `var v${i}=${i * 7919};`).join(''));
    writeFileSync(join(scratch, 'assets', 'a.js'), a);
    writeFileSync(join(scratch, 'assets', 'chunks', 'b.js'), b);
    writeFileSync(join(scratch, 'assets', 'c.css'), 'body{}');
    writeFileSync(join(scratch, 'index.html'), '<!doctype html>');
    const w = weighBuild(scratch);
    expect(w.jsFiles.sort()).toEqual(['assets/a.js', 'assets/chunks/b.js']);
    expect(w.jsBytes).toBe(a.length + b.length);
    expect(w.jsGzipBytes).toBe(gzipSync(a, { level: 9 }).length + gzipSync(b, { level: 9 }).length);
    expect(w.cssBytes).toBe(6);
  });
});
