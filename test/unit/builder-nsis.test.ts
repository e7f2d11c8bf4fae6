/**
 * build/installer.nsh compiles with NSIS (warnings are errors, as electron-builder builds it). electron-builder's
 * own installer template needs its downloaded NSIS bundle and plugins; here Debian's makensis compiles a small
 * installer that defines what the template would (product name, app id, isUpdated) and inserts our macros.
 */
import { describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ensureTool } from '../helpers/system-tools';
import { ROOT } from './builder-helpers';

function wrapper(include: string): string {
  return [
    'Unicode true',
    '!define PRODUCT_NAME "Register Bridge"',
    '!define APP_ID "org.registerbridge.desktop"',
    '!define APP_EXECUTABLE_FILENAME "Register Bridge.exe"',
    '!include "LogicLib.nsh"',
    'Var updated',
    'Function .onInit',
    '  StrCpy $updated "0"',
    'FunctionEnd',
    'Function un.onInit',
    '  StrCpy $updated "0"',
    'FunctionEnd',
    '!macro _isUpdated _a _b _t _f',
    '  StrCmp $updated "1" `${_t}` `${_f}`',
    '!macroend',
    '!define isUpdated `"" isUpdated ""`',
    `!include "${include}"`,
    'OutFile "register-bridge-check.exe"',
    'RequestExecutionLevel user',
    'InstallDir "$LOCALAPPDATA\\Programs\\register-bridge"',
    'Section "install"',
    '  !insertmacro customInstall',
    '  WriteUninstaller "$INSTDIR\\uninstall.exe"',
    'SectionEnd',
    'Section "un.Uninstall"',
    '  !insertmacro customUnInstall',
    'SectionEnd',
    '',
  ].join('\n');
}

describe('NSIS include', () => {
  it('compiles with warnings treated as errors', () => {
    const makensis = ensureTool('makensis', 'nsis');
    const dir = mkdtempSync(join(tmpdir(), 'rb-nsis-'));
    try {
      writeFileSync(join(dir, 'installer.nsi'), wrapper(join(ROOT, 'build', 'installer.nsh')));
      execFileSync(makensis, ['-WX', '-V2', 'installer.nsi'], { cwd: dir, encoding: 'utf8' });
      expect(existsSync(join(dir, 'register-bridge-check.exe'))).toBe(true);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('a broken include fails to compile (so the check above can fail)', () => {
    const makensis = ensureTool('makensis', 'nsis');
    const dir = mkdtempSync(join(tmpdir(), 'rb-nsis-'));
    try {
      writeFileSync(
        join(dir, 'broken.nsh'),
        '!macro customInstall\n  ${if} $0 == "x"\n!macroend\n!macro customUnInstall\n!macroend\n',
      );
      writeFileSync(join(dir, 'installer.nsi'), wrapper(join(dir, 'broken.nsh')));
      expect(() =>
        execFileSync(makensis, ['-WX', '-V1', 'installer.nsi'], { cwd: dir, encoding: 'utf8', stdio: 'pipe' }),
      ).toThrow();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
