/**
 * electron-builder.yml against electron-builder's own schema and validator, the settings the installers rely on,
 * and the files it points at (icons, entitlements, NSIS include, deb scripts).
 */
import { describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync, copyFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { filePatterns, loadBuilderConfig, ROOT, validateBuilderConfig, type BuilderConfig } from './builder-helpers';

type Obj = Record<string, unknown>;
const get = (o: unknown, path: string): unknown =>
  path.split('.').reduce<unknown>((v, k) => (v as Obj | undefined)?.[k], o);

describe('electron-builder.yml', () => {
  it("passes electron-builder's own validation (ajv against app-builder-lib/scheme.json)", async () => {
    const config = await loadBuilderConfig();
    await expect(validateBuilderConfig(config)).resolves.toBeUndefined();
  });

  it('the validator rejects a misspelt option (so the check above can fail)', async () => {
    const config = await loadBuilderConfig();
    const broken = { ...config, nsis: { ...(config.nsis as Obj), perMachin: false } };
    await expect(validateBuilderConfig(broken)).rejects.toThrow(/configuration\.nsis/);
    await expect(validateBuilderConfig({ ...config, npmRebuild: 'sometimes' })).rejects.toThrow(/npmRebuild/);
  });

  it('names the product and never rebuilds native modules', async () => {
    const c = await loadBuilderConfig();
    expect(c.appId).toMatch(/^[a-z0-9.-]+$/);
    expect(c.productName).toBe('Register Bridge');
    expect(c.extraMetadata?.productName).toBe('Register Bridge');
    expect(c.npmRebuild).toBe(false);
    expect(c.nodeGypRebuild).toBe(false);
    expect(c.asar).toBe(true);
  });

  it('packages the desktop build outputs and no TypeScript sources', async () => {
    const c = await loadBuilderConfig();
    const files = filePatterns(c);
    expect(files).toEqual(expect.arrayContaining(['dist-electron/**', 'dist-renderer/**']));
    expect(files.some((f) => /^src\b/.test(f))).toBe(false);
    const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { main: string };
    expect(pkg.main.startsWith('dist-electron/')).toBe(true);
  });

  it('Windows: a per-user NSIS installer with a Start menu entry that keeps the journal on uninstall', async () => {
    const c = await loadBuilderConfig();
    expect(get(c, 'win.target')).toBe('nsis');
    expect(get(c, 'nsis.perMachine')).toBe(false);
    expect(get(c, 'nsis.allowElevation')).toBe(false);
    expect(get(c, 'nsis.createStartMenuShortcut')).toBe(true);
    expect(get(c, 'nsis.deleteAppDataOnUninstall')).toBe(false);
    const include = readFileSync(join(ROOT, get(c, 'nsis.include') as string), 'utf8');
    expect(include).toMatch(/!macro customInstall/);
    expect(include).toMatch(/START_AT_LOGIN/);
    expect(include).toMatch(/CurrentVersion\\Run/);
    expect(include).toMatch(/!macro customUnInstall/);
    expect(include).toMatch(/--delete-app-data/);
  });

  it('macOS: a dmg with the hardened runtime and USB + serial entitlements', async () => {
    const c = await loadBuilderConfig();
    expect(get(c, 'mac.target')).toBe('dmg');
    expect(get(c, 'mac.hardenedRuntime')).toBe(true);
    const plist = readFileSync(join(ROOT, get(c, 'mac.entitlements') as string), 'utf8');
    for (const key of [
      'com.apple.security.device.usb',
      'com.apple.security.device.serial',
      'com.apple.security.cs.allow-jit',
    ]) {
      expect(plist).toMatch(new RegExp(`<key>${key.replace(/\./g, '\\.')}</key>\\s*<true/>`));
    }
    expect(get(c, 'mac.entitlementsInherit')).toBe(get(c, 'mac.entitlements'));
  });

  it('Linux: the deb first (the recommended package), then the AppImage; the deb installs the udev rule through its scripts', async () => {
    const c = await loadBuilderConfig();
    expect(get(c, 'linux.target')).toEqual(['deb', 'AppImage']);
    const extra = get(c, 'linux.extraResources') as Array<{ from: string; to: string; filter?: string[] }>;
    expect(extra).toContainEqual(expect.objectContaining({ from: 'docs/udev', to: 'udev' }));
    expect(extra).toContainEqual(
      expect.objectContaining({ from: 'build/linux/install-device-access.sh', to: 'udev/install-device-access.sh' }),
    );
    expect(get(c, 'deb.depends')).toEqual(expect.arrayContaining(['udev']));
    const after = readFileSync(join(ROOT, get(c, 'deb.afterInstall') as string), 'utf8');
    expect(after).toMatch(/resources\/udev\/install-device-access\.sh/);
  });

  it('Ubuntu 24.04+: the deb sets up the sandbox and AppArmor the AppImage cannot; the docs send operators to the deb, never to --no-sandbox', async () => {
    const c = await loadBuilderConfig();
    const after = readFileSync(join(ROOT, get(c, 'deb.afterInstall') as string), 'utf8');
    expect(after).toMatch(/chmod 4755 "\$app_dir\/chrome-sandbox"/);
    expect(after).toMatch(/apparmor_parser --replace/);
    const operator = readFileSync(join(ROOT, 'docs/operator.md'), 'utf8');
    const install = readFileSync(join(ROOT, 'docs/install.md'), 'utf8');
    const appImage = operator.slice(operator.indexOf('**Linux, AppImage**'));
    expect(appImage.slice(0, appImage.indexOf('\n\n'))).toMatch(
      /not on Ubuntu 24\.04 or later[\s\S]*Install the\s+deb instead/,
    );
    expect(operator).toMatch(/\*\*Linux: install the deb\.\*\*/);
    expect(install).toMatch(/### Linux: the deb is the package to ship/);
    for (const doc of [operator, install]) {
      expect(doc).toContain('The SUID sandbox helper binary was found, but is not configured correctly');
      // --no-sandbox appears only as what not to do.
      for (const m of doc.matchAll(/--no-sandbox/g))
        expect(doc.slice(Math.max(0, m.index - 120), m.index)).toMatch(/Do not|workarounds/);
    }
  });

  it('every file the config points at exists', async () => {
    const c: BuilderConfig = await loadBuilderConfig();
    const files = [
      'win.icon',
      'nsis.include',
      'nsis.installerIcon',
      'mac.icon',
      'mac.entitlements',
      'deb.afterInstall',
      'deb.afterRemove',
      'linux.icon',
    ].map((k) => get(c, k) as string);
    for (const f of files) expect(existsSync(join(ROOT, f)), f).toBe(true);
    for (const size of [16, 32, 48, 64, 128, 256, 512])
      expect(existsSync(join(ROOT, 'build/icons', `${size}x${size}.png`))).toBe(true);
  });
});

describe('deb scripts', () => {
  const scripts = ['after-install.sh', 'after-remove.sh', 'install-device-access.sh'];

  it('are valid shell', () => {
    for (const s of scripts) execFileSync('bash', ['-n', join(ROOT, 'build/linux', s)]);
    execFileSync('sh', ['-n', join(ROOT, 'build/linux/install-device-access.sh')]);
  });

  it('use only the ${…} names electron-builder fills in (any other one aborts the deb build)', () => {
    // electron-builder replaces /\${([a-zA-Z]+)}/ in afterInstall/afterRemove and throws on unknown names.
    const known = new Set(['executable', 'sanitizedProductName', 'productFilename']);
    for (const s of ['after-install.sh', 'after-remove.sh']) {
      const text = readFileSync(join(ROOT, 'build/linux', s), 'utf8');
      const names = [...text.matchAll(/\$\{([a-zA-Z]+)\}/g)].map((m) => m[1]!);
      expect(names.length, s).toBeGreaterThan(0);
      for (const n of names) expect(known.has(n), `${s}: \${${n}}`).toBe(true);
    }
  });

  it("install-device-access.sh installs the rule and adds the user to dialout and the rule's groups", () => {
    const dir = mkdtempSync(join(tmpdir(), 'rb-udev-'));
    try {
      const res = join(dir, 'resources', 'udev');
      mkdirSync(res, { recursive: true });
      copyFileSync(join(ROOT, 'build/linux/install-device-access.sh'), join(res, 'install-device-access.sh'));
      writeFileSync(
        join(res, '60-register-bridge.rules'),
        'SUBSYSTEM=="hidraw", ATTRS{idVendor}=="1234", GROUP="plugdev", MODE="0660"\n',
      );
      const out = execFileSync('sh', [join(res, 'install-device-access.sh'), 'cashier'], {
        encoding: 'utf8',
        env: { ...process.env, RB_DRY_RUN: '1', RB_UDEV_RULES_DIR: join(dir, 'rules.d') },
      });
      expect(out).toMatch(/would run: cp .*60-register-bridge\.rules .*rules\.d\/60-register-bridge\.rules/);
      expect(out).toMatch(/udev rule installed/);
      expect(out).toMatch(/usermod -aG dialout cashier/);
      expect(out).toMatch(/usermod -aG plugdev cashier/);

      const noUser = execFileSync('sh', [join(res, 'install-device-access.sh')], {
        encoding: 'utf8',
        env: { PATH: process.env.PATH, RB_DRY_RUN: '1', RB_UDEV_RULES_DIR: join(dir, 'rules.d') },
      });
      expect(noUser).toMatch(/sudo usermod -aG dialout USER/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
