/**
 * Which part of the tree may load which at run time: the status page takes from `src/` only the status contract,
 * the shared pure modules, the message catalogue and its coded texts (types from anywhere), and whatever it loads
 * from there reaches no Node module; receipts and reports share the time-zone arithmetic from the domain without
 * receipts loading reports.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = resolve(__dirname, '../..');

function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? filesUnder(path) : /\.tsx?$/.test(name) ? [path] : [];
  });
}

/** The specifiers a file loads at run time (`import type` and `export type` load nothing). */
function runtimeImports(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  const out: string[] = [];
  for (const m of text.matchAll(/^\s*(import|export)\s+(type\s+)?(?:[^'";]*?\s+from\s+)?['"]([^'"]+)['"]/gm))
    if (!m[2]) out.push(m[3]!);
  for (const m of text.matchAll(/\bimport\(\s*['"]([^'"]+)['"]\s*\)/g)) out.push(m[1]!);
  return out;
}

/** A relative specifier as a file path of the tree (`.ts`, `.tsx`, `index.ts`, or the file itself). */
function resolveLocal(from: string, spec: string): string {
  const base = resolve(dirname(from), spec);
  for (const candidate of [base, `${base}.ts`, `${base}.tsx`, join(base, 'index.ts')])
    if (statSync(candidate, { throwIfNoEntry: false })?.isFile()) return candidate;
  throw new Error(`${relative(ROOT, from)}: cannot resolve ${spec}`);
}

const rel = (p: string): string => relative(ROOT, p).split('\\').join('/');

describe('module boundaries', () => {
  it('the status page loads from src/ only the contract, the shared modules and the catalogue', () => {
    // src/i18n/core-text.ts: the coded texts the core sends, written in the page's language (types and one pure
    // function, by its own rule).
    const allowed = (p: string): boolean =>
      p === 'src/status/contract.ts' ||
      p === 'src/i18n/core-text.ts' ||
      p.startsWith('src/shared/') ||
      p.startsWith('src/i18n/locales/');
    const offending: string[] = [];
    for (const file of filesUnder(join(ROOT, 'renderer/src')))
      for (const spec of runtimeImports(file)) {
        if (!spec.startsWith('.')) continue;
        const target = rel(resolveLocal(file, spec));
        if (target.startsWith('src/') && !allowed(target)) offending.push(`${rel(file)} → ${target}`);
      }
    expect(offending).toEqual([]);
  });

  it('nothing the page may load from src/ reaches a Node module, the bridge or Electron', () => {
    const node = new Set([...builtinModules, ...builtinModules.map((m) => `node:${m}`), 'electron']);
    const start = [
      join(ROOT, 'src/status/contract.ts'),
      join(ROOT, 'src/i18n/core-text.ts'),
      ...filesUnder(join(ROOT, 'src/shared')).filter((f) => !f.endsWith('.json')),
    ];
    const seen = new Set<string>();
    const offending: string[] = [];
    const visit = (file: string): void => {
      if (seen.has(file)) return;
      seen.add(file);
      for (const spec of runtimeImports(file)) {
        if (node.has(spec)) offending.push(`${rel(file)} → ${spec}`);
        else if (spec.startsWith('.')) {
          const target = resolveLocal(file, spec);
          if (!/^src\/(domain|shared|status\/contract|i18n\/core-text)/.test(rel(target)))
            offending.push(`${rel(file)} → ${rel(target)}`);
          visit(target);
        }
      }
    };
    start.forEach(visit);
    expect(seen.size).toBeGreaterThan(2);
    expect(offending).toEqual([]);
  });

  it('receipts and reports share the time zones from the domain; receipts never load reports', () => {
    const receipts = filesUnder(join(ROOT, 'src/receipts'));
    const loadsReports = receipts.flatMap((f) =>
      runtimeImports(f)
        .filter((s) => s.startsWith('.') && rel(resolveLocal(f, s)).startsWith('src/reports/'))
        .map((s) => `${rel(f)} → ${s}`),
    );
    expect(loadsReports).toEqual([]);
    const timeZoneUsers = [...receipts, ...filesUnder(join(ROOT, 'src/reports'))].filter((f) =>
      runtimeImports(f).some((s) => s.startsWith('.') && rel(resolveLocal(f, s)) === 'src/domain/time-zone.ts'),
    );
    expect(timeZoneUsers.some((f) => rel(f).startsWith('src/receipts/'))).toBe(true);
    expect(timeZoneUsers.some((f) => rel(f).startsWith('src/reports/'))).toBe(true);
  });
});
