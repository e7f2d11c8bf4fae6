/**
 * The committed icons: every size the targets need, real PNGs of the size their name says, an ICO and an ICNS
 * that hold them, and the same bytes scripts/make-icons.mjs draws (the files are not edited by hand).
 */
import { describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ROOT } from './builder-helpers';

const BUILD = join(ROOT, 'build');

function pngSize(data: Buffer): { width: number; height: number } {
  expect(data.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]))).toBe(true);
  expect(data.toString('latin1', 12, 16)).toBe('IHDR');
  return { width: data.readUInt32BE(16), height: data.readUInt32BE(20) };
}

describe('icons', () => {
  it('Linux: build/icons/NxN.png from 16 to 1024, each its named size', () => {
    const files = readdirSync(join(BUILD, 'icons')).filter((f) => f.endsWith('.png'));
    const sizes = files.map((f) => Number(/^(\d+)x\1\.png$/.exec(f)?.[1])).sort((a, b) => a - b);
    expect(sizes).toEqual([16, 24, 32, 48, 64, 128, 256, 512, 1024]);
    for (const f of files) {
      const n = Number(f.split('x')[0]);
      expect(pngSize(readFileSync(join(BUILD, 'icons', f)))).toEqual({ width: n, height: n });
    }
    expect(pngSize(readFileSync(join(BUILD, 'icon.png')))).toEqual({ width: 1024, height: 1024 });
  });

  it('Windows: icon.ico holds 16…256 px PNG images', () => {
    const ico = readFileSync(join(BUILD, 'icon.ico'));
    expect(ico.readUInt16LE(0)).toBe(0);
    expect(ico.readUInt16LE(2)).toBe(1);
    const count = ico.readUInt16LE(4);
    const sizes: number[] = [];
    for (let i = 0; i < count; i++) {
      const e = 6 + i * 16;
      const size = ico[e] === 0 ? 256 : ico[e]!;
      const png = ico.subarray(ico.readUInt32LE(e + 12), ico.readUInt32LE(e + 12) + ico.readUInt32LE(e + 8));
      expect(pngSize(png)).toEqual({ width: size, height: size });
      sizes.push(size);
    }
    expect(sizes).toEqual([16, 24, 32, 48, 64, 128, 256]);
  });

  it('macOS: icon.icns holds 16…1024 px including the @2x variants', () => {
    const icns = readFileSync(join(BUILD, 'icon.icns'));
    expect(icns.toString('latin1', 0, 4)).toBe('icns');
    expect(icns.readUInt32BE(4)).toBe(icns.length);
    const blocks = new Map<string, number>();
    for (let o = 8; o < icns.length;) {
      const type = icns.toString('latin1', o, o + 4);
      const len = icns.readUInt32BE(o + 4);
      blocks.set(type, pngSize(icns.subarray(o + 8, o + len)).width);
      o += len;
    }
    expect(Object.fromEntries(blocks)).toEqual({
      icp4: 16,
      icp5: 32,
      icp6: 64,
      ic07: 128,
      ic08: 256,
      ic09: 512,
      ic10: 1024,
      ic11: 32,
      ic12: 64,
      ic13: 256,
      ic14: 512,
    });
  });

  it('are exactly what scripts/make-icons.mjs draws', () => {
    const dir = mkdtempSync(join(tmpdir(), 'rb-icons-'));
    try {
      execFileSync(process.execPath, [join(ROOT, 'scripts', 'make-icons.mjs'), dir]);
      const files = ['icon.png', 'icon.ico', 'icon.icns', ...readdirSync(join(dir, 'icons')).map((f) => `icons/${f}`)];
      for (const f of files) expect(readFileSync(join(dir, f)).equals(readFileSync(join(BUILD, f))), f).toBe(true);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
