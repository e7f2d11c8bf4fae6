/**
 * `npm run dist` (scripts/dist.mjs): one line instead of a stack trace when electron-builder cannot download
 * Electron or a build tool, and one line when the desktop app is not built. The electron-builder output below was
 * recorded from real offline runs (electron-builder 26.17, stack frames shortened).
 */
import { describe, expect, it } from 'vitest';
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { explainNetworkFailure } from '../../scripts/dist.mjs';
import { ROOT } from './builder-helpers';

const ELECTRON_OFFLINE = `  • electron-builder  version=26.17.0 os=6.18.44
  • loaded configuration  file=/work/main/electron-builder.yml
  • skipped dependencies rebuild  reason=npmRebuild is set to false
  • packaging       platform=linux arch=x64 electron=45.5.0 appOutDir=release/linux-unpacked
  ⨯ getaddrinfo ENOTFOUND github.com  failedTask=build stackTrace=RequestError: getaddrinfo ENOTFOUND github.com
    at ClientRequest.<anonymous> (/work/main/node_modules/got/dist/source/core/index.js:970:111)
    at GetAddrInfoReqWrap.onlookupall [as oncomplete] (node:dns:122:26)
`;

const APPIMAGE_OFFLINE = `  • packaging       platform=linux arch=x64 electron=45.5.0 appOutDir=release/linux-unpacked
  • using custom unpacked Electron distribution  electronDist=fake-electron
  • building        target=AppImage arch=x64 file=release/register-bridge-0.1.0-x86_64.AppImage
  ⨯ failed to build AppImage  error=getaddrinfo ENOTFOUND github.com
  ⨯ getaddrinfo ENOTFOUND github.com  failedTask=build stackTrace=RequestError: getaddrinfo ENOTFOUND github.com
    at ClientRequest.<anonymous> (/work/main/node_modules/got/dist/source/core/index.js:970:111)
`;

const REFUSED = `  • building        target=deb arch=x64 file=release/register-bridge_0.1.0_amd64.deb
  ⨯ connect ECONNREFUSED 127.0.0.1:9  failedTask=build stackTrace=RequestError: connect ECONNREFUSED 127.0.0.1:9
`;

const BAD_CONFIG = `  • loaded configuration  file=/work/main/electron-builder.yml
  ⨯ Invalid configuration object. electron-builder 26.17.0 has been initialized using a configuration object that does not match the API schema.
 - configuration has an unknown property 'electronFusesX'
    at validateSchema (/work/main/node_modules/app-builder-lib/src/util/config/schemaValidator.ts:45:9)
`;

describe('npm run dist offline', () => {
  it("names Electron's runtime and the host when Electron cannot be downloaded", () => {
    const line = explainNetworkFailure(ELECTRON_OFFLINE)!;
    expect(line).toBe(
      "register-bridge dist: could not download Electron's runtime from github.com (ENOTFOUND); this machine cannot reach the internet for it. " +
        'Build the installers on a machine with internet access (docs/install.md).',
    );
    expect(line).not.toMatch(/\n|\bat /);
  });

  it('names the target whose tools could not be downloaded', () => {
    expect(explainNetworkFailure(APPIMAGE_OFFLINE)).toMatch(
      /^register-bridge dist: could not download the AppImage build tools from github\.com \(ENOTFOUND\);/,
    );
    expect(explainNetworkFailure(REFUSED)).toMatch(/could not download the deb build tools \(ECONNREFUSED\)/);
  });

  it("leaves other failures to electron-builder's own message", () => {
    expect(explainNetworkFailure(BAD_CONFIG)).toBeUndefined();
  });

  it('says in one line when the desktop app is not built', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'rb-dist-'));
    try {
      writeFileSync(
        join(dir, 'package.json'),
        JSON.stringify({ name: 'x', version: '1.0.0', main: 'dist-electron/main.cjs', scripts: {} }),
      );
      const r = await promisify(execFile)(process.execPath, [
        join(ROOT, 'scripts', 'dist.mjs'),
        '--projectDir',
        dir,
      ]).then(
        () => ({ code: 0, stderr: '' }),
        (e: { code: number; stderr: string }) => e,
      );
      expect(r.code).toBe(1);
      expect(r.stderr).toBe(
        'register-bridge dist: the desktop app is not built (dist-electron/main.cjs, dist-renderer/index.html missing); run npm run build first\n',
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
