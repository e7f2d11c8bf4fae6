#!/usr/bin/env node
// Draws the Register Bridge icon and writes every file the installers need into build/:
//   build/icon.png            1024×1024 (electron-builder's default icon)
//   build/icons/NxN.png       16…1024 (Linux: AppImage and deb install these into the hicolor theme)
//   build/icon.ico            16…256, PNG-compressed entries (Windows executable, NSIS installer)
//   build/icon.icns           16…1024 incl. @2x variants, PNG entries (macOS app and dmg)
// The icons are product assets and committed; run `node scripts/make-icons.mjs` after changing the drawing.
// The output is deterministic: the same drawing gives the same bytes.
//
// No image library is installed in this project, so the drawing is a few shapes rendered by supersampling and
// the PNG/ICO/ICNS containers are written here (each is a short, fixed layout: PNG per RFC 2083 / ISO 15948,
// ICO as ICONDIR + ICONDIRENTRY with PNG payloads, ICNS as 'icns' + typed blocks).
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { crc32, deflateSync } from 'node:zlib';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

export const PNG_SIZES = [16, 24, 32, 48, 64, 128, 256, 512, 1024];
export const ICO_SIZES = [16, 24, 32, 48, 64, 128, 256];
/** ICNS block types (Apple's icon family types) and the pixel size each holds. */
export const ICNS_TYPES = [
  ['icp4', 16],
  ['icp5', 32],
  ['icp6', 64],
  ['ic07', 128],
  ['ic08', 256],
  ['ic09', 512],
  ['ic10', 1024],
  ['ic11', 32],
  ['ic12', 64],
  ['ic13', 256],
  ['ic14', 512],
];

// ------------------------------------------------------------------ drawing (unit square, y down)

const TOP = [0x0e, 0x74, 0x90]; // teal
const BOTTOM = [0x15, 0x4e, 0x63];
const WHITE = [0xff, 0xff, 0xff];
const AMBER = [0xfb, 0xbf, 0x24];

function inRoundedSquare(x, y) {
  const m = 0.06;
  const r = 0.2;
  if (x < m || y < m || x > 1 - m || y > 1 - m) return false;
  const cx = Math.min(Math.max(x, m + r), 1 - m - r);
  const cy = Math.min(Math.max(y, m + r), 1 - m - r);
  return (x - cx) ** 2 + (y - cy) ** 2 <= r * r;
}

/** The colour at a point, or undefined outside the icon. A bridge: deck, arch and hangers over a coin. */
function shade(x, y) {
  if (!inRoundedSquare(x, y)) return undefined;
  const deck = y >= 0.62 && y <= 0.68 && x >= 0.14 && x <= 0.86;
  const d = Math.hypot(x - 0.5, y - 0.68);
  const arch = y <= 0.68 && d >= 0.28 && d <= 0.34;
  const hanger = y <= 0.62 && d <= 0.3 && [0.36, 0.5, 0.64].some((hx) => Math.abs(x - hx) <= 0.014);
  const pillar = y >= 0.68 && y <= 0.82 && (Math.abs(x - 0.2) <= 0.025 || Math.abs(x - 0.8) <= 0.025);
  if (deck || arch || hanger || pillar) return WHITE;
  if (Math.hypot(x - 0.5, y - 0.47) <= 0.085) return AMBER;
  const t = (y - 0.06) / 0.88;
  return TOP.map((c, i) => Math.round(c + (BOTTOM[i] - c) * t));
}

/** RGBA pixels of the icon at `size`×`size`, antialiased by `ss`×`ss` samples per pixel. */
export function render(size) {
  const ss = size <= 64 ? 8 : size <= 256 ? 4 : 2;
  const px = Buffer.alloc(size * size * 4);
  for (let py = 0; py < size; py++) {
    for (let pxi = 0; pxi < size; pxi++) {
      let r = 0,
        g = 0,
        b = 0,
        a = 0;
      for (let sy = 0; sy < ss; sy++) {
        for (let sx = 0; sx < ss; sx++) {
          const c = shade((pxi + (sx + 0.5) / ss) / size, (py + (sy + 0.5) / ss) / size);
          if (!c) continue;
          r += c[0];
          g += c[1];
          b += c[2];
          a++;
        }
      }
      const o = (py * size + pxi) * 4;
      if (a > 0) {
        px[o] = Math.round(r / a);
        px[o + 1] = Math.round(g / a);
        px[o + 2] = Math.round(b / a);
        px[o + 3] = Math.round((a * 255) / (ss * ss));
      }
    }
  }
  return px;
}

// ------------------------------------------------------------------ containers

function chunk(type, data) {
  const len = Buffer.alloc(4);
  len.writeUInt32BE(data.length);
  const td = Buffer.concat([Buffer.from(type, 'latin1'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(td) >>> 0);
  return Buffer.concat([len, td, crc]);
}

/** A PNG file: 8-bit RGBA, no interlace, filter 0 on every row. */
export function encodePng(size, rgba) {
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(size, 0);
  ihdr.writeUInt32BE(size, 4);
  ihdr[8] = 8; // bit depth
  ihdr[9] = 6; // colour type RGBA
  const raw = Buffer.alloc(size * (size * 4 + 1));
  for (let y = 0; y < size; y++) rgba.copy(raw, y * (size * 4 + 1) + 1, y * size * 4, (y + 1) * size * 4);
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', ihdr),
    chunk('IDAT', deflateSync(raw, { level: 9 })),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

/** An ICO file whose entries are PNG images (Windows Vista and later). */
export function encodeIco(pngs) {
  const header = Buffer.alloc(6);
  header.writeUInt16LE(0, 0);
  header.writeUInt16LE(1, 2); // type: icon
  header.writeUInt16LE(pngs.length, 4);
  const entries = [];
  let offset = 6 + 16 * pngs.length;
  for (const { size, png } of pngs) {
    const e = Buffer.alloc(16);
    e[0] = size >= 256 ? 0 : size; // 0 means 256
    e[1] = size >= 256 ? 0 : size;
    e.writeUInt16LE(1, 4); // colour planes
    e.writeUInt16LE(32, 6); // bits per pixel
    e.writeUInt32LE(png.length, 8);
    e.writeUInt32LE(offset, 12);
    offset += png.length;
    entries.push(e);
  }
  return Buffer.concat([header, ...entries, ...pngs.map((p) => p.png)]);
}

/** An ICNS file: 'icns', total length, then one block per type (type, block length, PNG data). */
export function encodeIcns(blocks) {
  const parts = blocks.map(({ type, png }) => {
    const h = Buffer.alloc(8);
    h.write(type, 0, 'latin1');
    h.writeUInt32BE(png.length + 8, 4);
    return Buffer.concat([h, png]);
  });
  const body = Buffer.concat(parts);
  const h = Buffer.alloc(8);
  h.write('icns', 0, 'latin1');
  h.writeUInt32BE(body.length + 8, 4);
  return Buffer.concat([h, body]);
}

// ------------------------------------------------------------------ main

export function makeIcons(outDir = join(root, 'build')) {
  const png = new Map(PNG_SIZES.map((s) => [s, encodePng(s, render(s))]));
  mkdirSync(join(outDir, 'icons'), { recursive: true });
  for (const [s, data] of png) writeFileSync(join(outDir, 'icons', `${s}x${s}.png`), data);
  writeFileSync(join(outDir, 'icon.png'), png.get(1024));
  writeFileSync(join(outDir, 'icon.ico'), encodeIco(ICO_SIZES.map((size) => ({ size, png: png.get(size) }))));
  writeFileSync(
    join(outDir, 'icon.icns'),
    encodeIcns(ICNS_TYPES.map(([type, size]) => ({ type, png: png.get(size) }))),
  );
  return [...png.keys()];
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const sizes = makeIcons(process.argv[2]);
  process.stdout.write(`icons written: ${sizes.map((s) => `${s}px`).join(', ')}, icon.ico, icon.icns\n`);
}
