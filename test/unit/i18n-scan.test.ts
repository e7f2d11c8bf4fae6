/**
 * Every word a register shows its cashier or prints comes from the catalogue. The sources of the register-facing and
 * receipt modules (src/register, src/receipts, src/i18n) and of the desktop shell (electron/) are parsed with
 * TypeScript's parser and refused when:
 *   - a `message:` field is written as a string or template literal (register answers take theirs from
 *     src/register/texts.ts);
 *   - a receipt or slip line is written from a literal with letters: the first argument of the layout helpers
 *     text(), pair(), add(), centre(), line() (src/receipts/layout.ts, src/register/zvt/receipt.ts,
 *     src/register/capture/slip.ts).
 * The allowlist below is short and each entry says why its text is not shown to a cashier. The texts of the journal,
 * the log and the configuration errors are English for the shop owner and support (docs/localisation.md) and live
 * outside these folders; the renderer's JSX texts have their own scan.
 */
import { describe, expect, it } from 'vitest';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const SCANNED = ['src/register', 'src/receipts', 'src/i18n', 'electron'];
const LINE_HELPERS = new Set(['text', 'pair', 'add', 'centre', 'line']);

/** file → literal texts allowed there, with the reason. */
const ALLOWED: Record<string, Record<string, string>> = {
  'src/register/zvt/payments.ts': {
    'the bridge lost the result': 'journal/log reason of an in-doubt result; the register gets zvtCheckTerminal()',
  },
  'src/register/caisse-ap/session.ts': {
    'the bridge lost the result': 'journal/log reason of an in-doubt result; Caisse-AP answers carry codes only',
  },
  'src/register/concert/session.ts': {
    'the bridge lost the result': 'journal/log reason of an in-doubt result; Concert answers carry codes only',
  },
  'src/register/capture/capture-registry.ts': {
    'Payment started': "status-window record of a captured payment, in the journal's English words",
    '${err.code}: ${err.message}':
      "status-window record of a captured payment: the bridge's error code and English text",
  },
};

function files(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) out.push(...files(p));
    else if (/\.(ts|tsx)$/.test(name) && !name.endsWith('.d.ts') && !name.endsWith('.generated.ts')) out.push(p);
  }
  return out;
}

/** The literal's text as written (template literals with their ${…} parts), or undefined for anything else. */
function literalText(node: ts.Expression, source: ts.SourceFile): string | undefined {
  if (ts.isStringLiteral(node) || ts.isNoSubstitutionTemplateLiteral(node)) return node.text;
  if (ts.isTemplateExpression(node)) return node.getText(source).slice(1, -1);
  return undefined;
}

function findLiterals(file: string, code: string): Array<{ line: number; text: string; where: string }> {
  const source = ts.createSourceFile(
    file,
    code,
    ts.ScriptTarget.Latest,
    true,
    file.endsWith('x') ? ts.ScriptKind.TSX : ts.ScriptKind.TS,
  );
  const found: Array<{ line: number; text: string; where: string }> = [];
  const at = (n: ts.Node): number => source.getLineAndCharacterOfPosition(n.getStart(source)).line + 1;
  const visit = (node: ts.Node): void => {
    if (ts.isPropertyAssignment(node) && node.name.getText(source) === 'message') {
      const text = literalText(node.initializer, source);
      if (text !== undefined) found.push({ line: at(node), text, where: 'message:' });
    }
    if (
      ts.isCallExpression(node) &&
      ts.isIdentifier(node.expression) &&
      LINE_HELPERS.has(node.expression.text) &&
      node.arguments[0]
    ) {
      const text = literalText(node.arguments[0], source);
      if (text !== undefined && /\p{L}/u.test(text.replace(/\$\{[^}]*\}/g, '')))
        found.push({ line: at(node), text, where: `${node.expression.text}()` });
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return found;
}

describe('user-visible texts come from the catalogue', () => {
  it('no message field or receipt line of the register-facing modules and the shell is a literal (short reviewed allowlist)', () => {
    const problems: string[] = [];
    const used = new Set<string>();
    for (const dir of SCANNED) {
      for (const file of files(join(ROOT, dir))) {
        const rel = relative(ROOT, file).split('\\').join('/');
        for (const hit of findLiterals(rel, readFileSync(file, 'utf8'))) {
          if (ALLOWED[rel]?.[hit.text] !== undefined) used.add(`${rel}|${hit.text}`);
          else
            problems.push(
              `${rel}:${hit.line} ${hit.where} "${hit.text}" — put it in src/i18n/locales/en/ and translate it`,
            );
        }
      }
    }
    expect(problems).toEqual([]);
    // An allowlist entry that no longer matches anything is removed, so the list stays short and true.
    const stale = Object.entries(ALLOWED).flatMap(([f, texts]) =>
      Object.keys(texts)
        .filter((t) => !used.has(`${f}|${t}`))
        .map((t) => `${f}: "${t}"`),
    );
    expect(stale).toEqual([]);
  });

  it('the scan finds a literal message, a literal receipt line and a literal template, and lets catalogue calls pass', () => {
    const code = `
      send({ type: 'progress', message: 'Present card' });
      send({ type: 'error', message: \`line of \${n} bytes\` });
      send({ type: 'progress', message: texts.stage(stage) });
      pair('Terminal ID', d.terminalId);
      pair(t('label.terminalId'), d.terminalId);
      text('*** DUPLICATE ***', 'center');
      line(\`\${f.amount.currency} \${amount}\`);
    `;
    expect(findLiterals('x.ts', code).map((h) => `${h.where} ${h.text}`)).toEqual([
      'message: Present card',
      'message: line of ${n} bytes',
      'pair() Terminal ID',
      'text() *** DUPLICATE ***',
    ]);
  });
});
