/**
 * The core's texts that the status page shows (terminal health, go-live steps, security events, refusals of the
 * status API, settings-guard issues, wizard checks, receipt notes) are codes of the `ui` catalogue's `core` group
 * with parameters, sent beside their English words (src/i18n/core-text.ts, docs/localisation.md):
 *   - every `coreText('code', {…})` call in src/ names a text of the English `core` group and gives exactly the
 *     placeholders of that text (an unknown code also fails `npm run typecheck`, see the end of this file);
 *   - codes built from a vocabulary (bridge error codes, security event kinds) have a text for every word of it;
 *   - the places that send such texts do not fall back to written-in English: a refusal (`new StatusProblem`), a
 *     security event (`record({…})`), a terminal health answer (an object with `checkedAt`) and a settings-guard
 *     issue must carry codes, except the short reviewed allowlist below;
 *   - the English words sent with a code are the catalogue's (what the log and API consumers read).
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import { codesOf } from '../../src/i18n/core-text';
import { coreText, english, said } from '../../src/i18n/say';
import { settingsSecurityIssues } from '../../src/status/settings-guard';
import { toProblem, StatusProblem } from '../../src/status/problem';
import { BridgeError } from '../../src/domain/errors';
import { catalogue, flatten, type Tree } from '../helpers/ui-catalogue';

const ROOT = join(import.meta.dirname, '..', '..');
const PLURAL = /_(zero|one|two|few|many|other)$/;

/** code → placeholders of its English text (plural codes under their base key, with `count`). */
function englishCodes(): Map<string, string[]> {
  const core = catalogue('en').core as Tree;
  const out = new Map<string, string[]>();
  for (const [key, text] of flatten(core)) {
    const names = [...text.matchAll(/\{\{\s*([^},\s]+)[^}]*\}\}/g)].map((m) => m[1]!);
    const code = key.replace(PLURAL, '');
    if (PLURAL.test(key)) names.push('count');
    out.set(code, [...new Set([...(out.get(code) ?? []), ...names])].sort());
  }
  return out;
}

function files(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) out.push(...files(p));
    else if (/\.tsx?$/.test(name) && !name.endsWith('.d.ts') && !name.endsWith('.generated.ts')) out.push(p);
  }
  return out;
}

const parse = (file: string, code: string): ts.SourceFile =>
  ts.createSourceFile(
    file,
    code,
    ts.ScriptTarget.Latest,
    true,
    file.endsWith('x') ? ts.ScriptKind.TSX : ts.ScriptKind.TS,
  );

function walk(node: ts.Node, visit: (n: ts.Node) => void): void {
  visit(node);
  ts.forEachChild(node, (c) => walk(c, visit));
}

const isLiteral = (n: ts.Node | undefined): boolean =>
  !!n && (ts.isStringLiteral(n) || ts.isNoSubstitutionTemplateLiteral(n) || ts.isTemplateExpression(n));

/** Object literal members that say it carries codes: a `…Code` property or a spread of `said(…)`. */
function carriesCodes(o: ts.ObjectLiteralExpression, source: ts.SourceFile): boolean {
  return o.properties.some(
    (p) =>
      (ts.isPropertyAssignment(p) || ts.isShorthandPropertyAssignment(p)
        ? /Code$/.test(p.name.getText(source))
        : false) ||
      (ts.isSpreadAssignment(p) && /\bsaid\(/.test(p.expression.getText(source))),
  );
}

const propNames = (o: ts.ObjectLiteralExpression, source: ts.SourceFile): string[] =>
  o.properties.flatMap((p) =>
    ts.isPropertyAssignment(p) || ts.isShorthandPropertyAssignment(p) ? [p.name.getText(source)] : [],
  );

interface Finding {
  readonly where: string;
  readonly what: string;
}

/** What the scan refuses in one file (see the header). */
export function findUncoded(rel: string, code: string): Finding[] {
  const source = parse(rel, code);
  const out: Finding[] = [];
  const at = (n: ts.Node): string => `${rel}:${source.getLineAndCharacterOfPosition(n.getStart(source)).line + 1}`;
  walk(source, (n) => {
    const extra = ts.isNewExpression(n) ? n.arguments?.[2] : undefined;
    if (
      ts.isNewExpression(n) &&
      n.expression.getText(source) === 'StatusProblem' &&
      isLiteral(n.arguments?.[1]) &&
      !(extra && ts.isObjectLiteralExpression(extra) && carriesCodes(extra, source))
    )
      out.push({ where: at(n), what: `new StatusProblem ${n.arguments![1]!.getText(source)}` });
    if (
      ts.isCallExpression(n) &&
      /(^|\.)record$/.test(n.expression.getText(source)) &&
      n.arguments[0] &&
      ts.isObjectLiteralExpression(n.arguments[0]) &&
      propNames(n.arguments[0], source).includes('kind') &&
      !carriesCodes(n.arguments[0], source)
    )
      out.push({ where: at(n), what: `security event without codes` });
    if (
      ts.isObjectLiteralExpression(n) &&
      propNames(n, source).includes('checkedAt') &&
      propNames(n, source).includes('message') &&
      !carriesCodes(n, source)
    )
      out.push({ where: at(n), what: 'terminal health without codes' });
    if (
      rel === 'src/status/settings-guard.ts' &&
      ts.isObjectLiteralExpression(n) &&
      propNames(n, source).includes('field') &&
      !carriesCodes(n, source)
    )
      out.push({ where: at(n), what: 'settings-guard issue without codes' });
  });
  return out;
}

/** `file: what` → why it may stay as it is. */
const ALLOWED: Readonly<Record<string, string>> = {
  'src/bridge/lane.ts: terminal health without codes':
    "a probe that threw: its own error text, shown as received; the partial update copies the probe's codes",
  'src/terminal/epos/driver.ts: terminal health without codes':
    "the gateway's refusal of a health check: the gateway's own words, shown as received",
  'src/status/arguments.ts: new StatusProblem `Bad argument for ${method}: ${detail}`':
    'a malformed argument the page never sends (it calls through the typed contract; API consumers only, each field named in issues)',
  'src/status/server.ts: new StatusProblem `port ${o.port} on ${o.host} is already in use by another program (status page)`':
    'a start-up failure of the status server: the command line prints it, no page is there to show it',
  'src/status/server.ts: new StatusProblem `${k} must be a whole number`':
    'a malformed query the page never sends (API consumers only)',
  "src/status/server.ts: new StatusProblem 'Send the request body as application/json'":
    'a malformed request the page never sends (API consumers only)',
  'src/status/server.ts: new StatusProblem `The request body is larger than ${MAX_BODY / 1024} KiB`':
    'a request the page never sends (API consumers only)',
  'src/status/server.ts: new StatusProblem `The request body is not valid JSON: ${(e as Error).message}`':
    'a malformed request the page never sends (API consumers only)',
  'src/status/settings.ts: new StatusProblem `${fieldPath(f.path)} could not be stored in the keychain: ${e instanceof Error ? e.message : String(e)}`':
    "the keychain's own refusal, shown as received",
};

const RAW_FIELDS = new Set(['message', 'detail', 'text', 'fix', 'note']);

/** JSX children that are a received text field written as it is (`{e.detail}`). */
export function findRawTexts(rel: string, code: string): Finding[] {
  const source = parse(rel, code);
  const out: Finding[] = [];
  walk(source, (n) => {
    if (
      ts.isJsxExpression(n) &&
      n.parent &&
      (ts.isJsxElement(n.parent) || ts.isJsxFragment(n.parent)) &&
      n.expression &&
      ts.isPropertyAccessExpression(n.expression) &&
      RAW_FIELDS.has(n.expression.name.text)
    )
      out.push({
        where: `${rel}:${source.getLineAndCharacterOfPosition(n.getStart(source)).line + 1}`,
        what: n.expression.getText(source),
      });
  });
  return out;
}

/** `file: expression` → why the page may show it as received. */
const RAW_ALLOWED: Readonly<Record<string, string>> = {
  'renderer/src/components/HoldList.tsx: p.note': "the page's own words (a translated note passed in by the caller)",
  'renderer/src/i18n/core-text.tsx: words.text':
    'CoreSays and PaymentSays themselves: the translated text, or the received one',
};

describe("the core's texts shown by the page are codes of the catalogue", () => {
  const codes = englishCodes();

  it('every coreText() call in src/ names a text of the English core group with exactly its placeholders', () => {
    const problems: string[] = [];
    let calls = 0;
    for (const file of files(join(ROOT, 'src'))) {
      const rel = relative(ROOT, file).split('\\').join('/');
      const source = parse(rel, readFileSync(file, 'utf8'));
      walk(source, (n) => {
        if (!ts.isCallExpression(n) || n.expression.getText(source) !== 'coreText') return;
        const first = n.arguments[0];
        const where = `${rel}:${source.getLineAndCharacterOfPosition(n.getStart(source)).line + 1}`;
        // A code chosen by a condition: each branch is a literal.
        const literals: string[] = [];
        const collect = (e: ts.Expression | undefined): void => {
          if (!e) return;
          if (ts.isStringLiteral(e) || ts.isNoSubstitutionTemplateLiteral(e)) literals.push(e.text);
          else if (ts.isConditionalExpression(e)) {
            collect(e.whenTrue);
            collect(e.whenFalse);
          } else if (ts.isParenthesizedExpression(e)) collect(e.expression);
        };
        collect(first);
        if (literals.length === 0) return; // a code built from a vocabulary: checked by the next test
        calls++;
        const given = n.arguments[1];
        const names =
          given === undefined ? [] : ts.isObjectLiteralExpression(given) ? propNames(given, source).sort() : undefined;
        for (const code of literals) {
          const wanted = codes.get(code);
          if (!wanted) problems.push(`${where} coreText('${code}'): no such text in locales/en/ui.json core`);
          else if (names && names.join(',') !== wanted.join(','))
            problems.push(
              `${where} coreText('${code}') gives {${names.join(', ')}}, the text has {${wanted.join(', ')}}`,
            );
        }
      });
    }
    expect(problems).toEqual([]);
    expect(calls).toBeGreaterThan(60);
  });

  it('codes built from a vocabulary have a text for every word of it (bridge error codes, security event kinds)', () => {
    const union = (file: string, type: string): string[] => {
      const text = readFileSync(join(ROOT, file), 'utf8');
      const body = text.slice(text.indexOf(`export type ${type} =`)).split(';')[0]!;
      return [...body.matchAll(/\|\s*'([a-z_]+)'/g)].map((m) => m[1]!);
    };
    const errors = union('src/domain/errors.ts', 'ErrorCode');
    const kinds = union('src/security/events.ts', 'SecurityEventKind');
    expect(errors.length).toBeGreaterThan(20);
    expect(kinds.length).toBeGreaterThan(8);
    expect(errors.filter((c) => !codes.has(`bridgeError.${c}`))).toEqual([]);
    expect(kinds.filter((k) => !codes.has(`security.kind.${k}`))).toEqual([]);
  });

  it('refusals, security events, terminal health and settings-guard issues carry codes (short reviewed allowlist)', () => {
    const problems: string[] = [];
    const used = new Set<string>();
    for (const file of files(join(ROOT, 'src'))) {
      const rel = relative(ROOT, file).split('\\').join('/');
      for (const f of findUncoded(rel, readFileSync(file, 'utf8'))) {
        const key = `${rel}: ${f.what}`;
        if (ALLOWED[key] !== undefined) used.add(key);
        else problems.push(`${f.where} ${f.what} — give it a code of locales/en/ui.json core (src/i18n/say.ts)`);
      }
    }
    expect(problems).toEqual([]);
    expect(Object.keys(ALLOWED).filter((k) => !used.has(k))).toEqual([]);
  });

  it('the page writes no received message, detail, step text, fix or note as it is (beyond a reviewed few): they go through CoreSays / PaymentSays', () => {
    const problems: string[] = [];
    const used = new Set<string>();
    for (const file of files(join(ROOT, 'renderer', 'src'))) {
      const rel = relative(ROOT, file).split('\\').join('/');
      for (const hit of findRawTexts(rel, readFileSync(file, 'utf8'))) {
        const key = `${rel}: ${hit.what}`;
        if (RAW_ALLOWED[key] !== undefined) used.add(key);
        else problems.push(`${hit.where} {${hit.what}} — render it with CoreSays (a coded text) or PaymentSays`);
      }
    }
    expect(problems).toEqual([]);
    expect(Object.keys(RAW_ALLOWED).filter((k) => !used.has(k))).toEqual([]);
    expect(findRawTexts('x.tsx', 'const a = <td data-source="bridge">{e.detail}</td>;').map((h) => h.what)).toEqual([
      'e.detail',
    ]);
  });

  it('the scan finds each kind of uncoded text and lets coded ones pass', () => {
    const code = `
      throw new StatusProblem(400, 'The settings to save are missing', { code: 'bad_request' });
      throw new StatusProblem(400, coreText('problem.paused'), { code: 'bad_request' });
      security?.record({ kind: 'flood', peer, detail: \`\${n} bad frames\` });
      security?.record({ kind: 'flood', peer, ...said('detail', coreText('security.badFrames', { count: n, peer })) });
      security?.record({ kind: 'flood', peer, detail, detailCode });
      return { online: false, checkedAt, message: 'The driver is closed' };
      return { online: false, checkedAt, ...said('message', coreText('health.closed')) };
    `;
    expect(findUncoded('x.ts', code).map((f) => f.what)).toEqual([
      "new StatusProblem 'The settings to save are missing'",
      'security event without codes',
      'terminal health without codes',
    ]);
    expect(findUncoded('src/status/settings-guard.ts', `issues.push({ field: 'developer', message: 'no' });`)).toEqual([
      { where: 'src/status/settings-guard.ts:1', what: 'settings-guard issue without codes' },
    ]);
  });

  it('the English words sent beside a code are the catalogue English text', () => {
    expect(english(coreText('health.unreachable', { error: 'connect ECONNREFUSED' }))).toBe(
      'The terminal cannot be reached: connect ECONNREFUSED',
    );
    const health = [
      coreText('health.online'),
      coreText('health.details', { list: [coreText('health.tid', { tid: '1' }), coreText('health.sn', { sn: '2' })] }),
    ];
    expect(said('message', health)).toEqual({ message: 'Terminal online (TID 1, SN 2)', messageCode: health });
    expect(codesOf(health)).toEqual(['health.online', 'health.details', 'health.tid', 'health.sn']);
    // A refusal: the English detail for API consumers, its code for the page; a bridge error by its code.
    const p = toProblem(new StatusProblem(503, coreText('problem.paused'), { code: 'paused' }));
    expect(p.detail).toBe('The bridge is paused; resume it to see payments and the journal');
    expect(p.detailCode).toEqual({ code: 'problem.paused' });
    const b = toProblem(new BridgeError('terminal_busy', 'Terminal lane1 is busy with ref A-1'));
    expect(b.detail).toBe('Terminal lane1 is busy with ref A-1');
    expect(b.detailCode).toEqual({ code: 'bridgeError.terminal_busy' });
    const [issue] = settingsSecurityIssues({ developer: { anyGatewayUrl: true } }, {});
    expect(issue?.messageCode).toEqual({ code: 'settingsGuard.developer' });
    expect(issue?.message).toBe(english(issue!.messageCode!));
  });
});

// Type checks only (never called): a code English does not have fails `npm run typecheck`.
export function typed(): unknown[] {
  return [
    coreText('health.online'),
    // @ts-expect-error a code the English core group does not have
    coreText('health.noSuchText'),
  ];
}
