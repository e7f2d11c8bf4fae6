/**
 * The desktop shell is type-checked against Electron's own type definitions by `npm run typecheck`: the project's
 * tsconfig.json takes in every file of electron/, 'electron' resolves to the electron.d.ts the package ships, the
 * shell has no type error, and a misspelt web preference (the kind of slip that silently turns a protection off)
 * is a type error with the very same compiler options.
 */
import { readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import ts from 'typescript';
import { beforeAll, describe, expect, it } from 'vitest';

const root = resolve(import.meta.dirname, '..', '..');
const shellFiles = readdirSync(join(root, 'electron'))
  .filter((f) => f.endsWith('.ts'))
  .map((f) => join(root, 'electron', f));
const probeFile = join(root, 'electron', '__type-probe__.ts');

let parsed: ts.ParsedCommandLine;

/** A program over the shell (plus virtual files) with the project's own compiler options. */
function program(extra: Record<string, string> = {}): ts.Program {
  const host = ts.createCompilerHost(parsed.options, true);
  const getSourceFile = host.getSourceFile.bind(host);
  const fileExists = host.fileExists.bind(host);
  const readFile = host.readFile.bind(host);
  host.getSourceFile = (name, lang, ...rest) =>
    extra[name] !== undefined
      ? ts.createSourceFile(name, extra[name]!, lang, true)
      : getSourceFile(name, lang, ...rest);
  host.fileExists = (name) => extra[name] !== undefined || fileExists(name);
  host.readFile = (name) => extra[name] ?? readFile(name);
  return ts.createProgram({ rootNames: [...shellFiles, ...Object.keys(extra)], options: parsed.options, host });
}

function errorsOf(p: ts.Program, file: string): string[] {
  const s = p.getSourceFile(file)!;
  return [...p.getSyntacticDiagnostics(s), ...p.getSemanticDiagnostics(s)].map(
    (d) => `${d.file?.fileName ?? ''}: ${ts.flattenDiagnosticMessageText(d.messageText, '\n')}`,
  );
}

beforeAll(() => {
  const read = ts.readConfigFile(join(root, 'tsconfig.json'), (f) => ts.sys.readFile(f));
  expect(read.error).toBeUndefined();
  parsed = ts.parseJsonConfigFileContent(read.config, ts.sys, root);
});

describe('electron/ type-checks against electron.d.ts', () => {
  it('npm run typecheck includes every file of electron/ under strict options', () => {
    expect(shellFiles.length).toBeGreaterThanOrEqual(10);
    for (const f of shellFiles) expect(parsed.fileNames, f).toContain(f);
    expect(parsed.options.strict).toBe(true);
    expect(parsed.options.noEmit).toBe(true);
  });

  it("resolves 'electron' to the package's electron.d.ts; the shell has no error, a misspelt preference is one", () => {
    // One program: the shell as it is, plus a probe file with two slips Electron's types must catch.
    const p = program({
      [probeFile]: [
        "import { app, BrowserWindow } from 'electron';",
        'export const w = new BrowserWindow({ webPreferences: { contextIsolaton: true, sandbox: true } });',
        'export const locked: string = app.requestSingleInstanceLock();',
        '',
      ].join('\n'),
    });
    const resolved = ts.resolveModuleName(
      'electron',
      join(root, 'electron', 'main.ts'),
      parsed.options,
      ts.sys,
    ).resolvedModule;
    expect(resolved?.resolvedFileName).toBe(join(root, 'node_modules', 'electron', 'electron.d.ts'));
    expect(p.getSourceFile(resolved!.resolvedFileName)).toBeDefined();
    expect(shellFiles.flatMap((f) => errorsOf(p, f))).toEqual([]);
    const errors = errorsOf(p, probeFile);
    expect(
      errors.some((e) => e.includes("'contextIsolaton'")),
      errors.join('\n'),
    ).toBe(true);
    expect(
      errors.some((e) => e.includes("'boolean' is not assignable to type 'string'")),
      errors.join('\n'),
    ).toBe(true);
  }, 90_000);
});
