/**
 * Every native dependency is unpacked from the asar archive. The list is derived from node_modules (packages
 * reachable from package.json's dependencies that carry a binding.gyp, prebuilds/ or a .node file) and matched
 * with electron-builder's own file matcher against electron-builder.yml's asarUnpack.
 */
import { describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { loadBuilderConfig, nativePackages, ROOT, unpackFilter } from './builder-helpers';

describe('native modules in the packaged app', () => {
  const natives = nativePackages();

  it('finds the native dependencies this project has (libsql, serialport, node-hid, usb)', () => {
    const names = natives.map((n) => n.name);
    expect(names).toEqual(expect.arrayContaining(['@serialport/bindings-cpp', 'node-hid', 'usb']));
    // libsql's binary comes in a per-platform package such as @libsql/linux-x64-gnu.
    expect(names.some((n) => n.startsWith('@libsql/'))).toBe(true);
    // Development-only natives (the bundler's) are not reachable from dependencies.
    expect(names.some((n) => n.startsWith('@rolldown/'))).toBe(false);
  });

  it('asarUnpack covers every native package and each of its .node files', async () => {
    const config = await loadBuilderConfig();
    const unpacked = unpackFilter(config);
    const uncovered: string[] = [];
    for (const n of natives) {
      for (const f of [`${n.dir}/package.json`, ...n.binaries])
        if (!unpacked(join(ROOT, f))) uncovered.push(`${f} (${n.evidence.join(', ')})`);
    }
    expect(uncovered, `add these to asarUnpack in electron-builder.yml:\n${uncovered.join('\n')}`).toEqual([]);
  });

  it('the matcher reports a package asarUnpack leaves out (so the check above can fail)', async () => {
    const config = await loadBuilderConfig();
    const partial = unpackFilter({ ...config, asarUnpack: ['node_modules/usb/**'] });
    const hid = natives.find((n) => n.name === 'node-hid')!;
    expect(partial(join(ROOT, hid.dir, 'package.json'))).toBe(false);
    expect(partial(join(ROOT, natives.find((n) => n.name === 'usb')!.dir, 'package.json'))).toBe(true);
  });
});
