/**
 * Every word the status page and the tray show comes from the `ui` catalogue: a scan of renderer/src and electron/
 * with the TypeScript parser fails on a user-visible text written in the code — JSX text, a string in a JSX child
 * expression, the attributes people read (title, aria-label, placeholder, alt and the page's own label/hint/caption
 * props), `label`/`hint`/`title`/`message`/`detail` fields of object literals (select options, menu items, problem
 * details), texts passed to error/note/status setters and tooltips, and `new Error(...)` texts. A short allowlist
 * names the texts that are not words (currency codes, hex ids, protocol field names), each with its reason.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

const root = join(import.meta.dirname, '..', '..');

/** Reviewed texts that may stay in the code: `file: text` → why it is no word to translate. */
const ALLOWED: Readonly<Record<string, string>> = {
  'renderer/src/views/ListenerOptions.tsx: EUR': 'a currency code as the example of a currency field',
  'renderer/src/views/ListenerOptions.tsx: iu': 'regular-expression flags as the example of the flags field',
  'renderer/src/views/ListenerOptions.tsx: POLE':
    'the default reference prefix of a pole display, as the protocol writes it',
  'renderer/src/views/ListenerOptions.tsx: PRN':
    'the default reference prefix of a receipt printer, as the protocol writes it',
  'renderer/src/views/ListenerOptions.tsx: command, ref, amount, currency':
    "the text protocol's field names, typed as they are",
  'renderer/src/views/ListenerOptions.tsx: status, ref, result, detail':
    "the text protocol's answer field names, typed as they are",
  'renderer/src/views/ListenerOptions.tsx: NAK':
    'a control character of the Concert line protocol, named as its sheet names it',
  'renderer/src/views/ListenerOptions.tsx: EOT':
    'a control character of the Concert line protocol, named as its sheet names it',
  'renderer/src/views/Settings.tsx: 10C4': 'a USB vendor id in hex as the example',
  'renderer/src/views/Settings.tsx: EA80': 'a USB product id in hex as the example',
  'electron/ipc-main.ts: Only the Register Bridge window may call the bridge':
    "the IPC answer's problem details to a page that is not the app's (API words like the status server's, never shown by the page)",
  'electron/ipc-main.ts: Unknown method':
    "the IPC answer's problem details to a call the page never makes (a programming error)",
  'electron/window.ts: Register Bridge': "the product's name as the window title (a name, the same in every language)",
  'electron/keychain.ts: the operating system keychain is not available to decrypt it':
    "the keychain's refusal, raised to the core and shown as the bridge's own message (like every refusal of the settings API)",
  'electron/keychain.ts: the operating system offers no encryption for secrets (safeStorage); the secret was not stored':
    "the keychain's refusal, raised to the core and shown as the bridge's own message (like every refusal of the settings API)",
};

const USER_ATTRIBUTES = new Set([
  'title',
  'aria-label',
  'placeholder',
  'alt',
  'label',
  'hint',
  'caption',
  'aria-description',
]);
const USER_FIELDS = new Set(['label', 'hint', 'title', 'message', 'detail', 'caption', 'placeholder', 'tooltip']);
const SHOWING_CALLS =
  /^(set(Error|Note|Saved|Message|Status|Notice|Problem|Warning|ToolTip|Title)|showErrorBox|showMessageBox)$/;
const hasWords = (text: string): boolean => /\p{L}/u.test(text);
/**
 * Calls whose text arguments are no words for people: selectors, storage keys, the translate function itself, and log
 * messages (the log is written for support in English: the logger's methods and the shell's `report`/`shutdown`,
 * which only log their reason).
 */
const NOT_SHOWING = new Set([
  't',
  'translate',
  'querySelector',
  'querySelectorAll',
  'closest',
  'matches',
  'getAttribute',
  'setAttribute',
  'addEventListener',
  'removeEventListener',
  'getItem',
  'setItem',
  'debug',
  'info',
  'warn',
  'error',
  'fatal',
  'trace',
  'log',
  'report',
  'shutdown',
]);
/** A phrase: two words or more (a single word as a call argument is usually a key, a name or a code). */
const isPhrase = (text: string): boolean => /\p{L}+[\s,:;]+\p{L}+/u.test(text);

export interface Finding {
  readonly file: string;
  readonly line: number;
  readonly text: string;
  readonly where: string;
}

/** The static text of a string or template literal (its parts between `${…}`), or undefined for anything else. */
function literalText(node: ts.Node): string | undefined {
  if (ts.isStringLiteral(node) || ts.isNoSubstitutionTemplateLiteral(node)) return node.text;
  if (ts.isTemplateExpression(node))
    return [node.head.text, ...node.templateSpans.map((s) => s.literal.text)].join(' ');
  return undefined;
}

/** The literals an expression yields as its value (through `a ? b : c`, `a || b`, `a ?? b`, `(x)`, `x as T`). */
function yielded(node: ts.Expression): ts.Expression[] {
  if (ts.isParenthesizedExpression(node) || ts.isAsExpression(node) || ts.isNonNullExpression(node))
    return yielded(node.expression);
  if (ts.isConditionalExpression(node)) return [...yielded(node.whenTrue), ...yielded(node.whenFalse)];
  const op = ts.isBinaryExpression(node) ? node.operatorToken.kind : undefined;
  if (
    ts.isBinaryExpression(node) &&
    op !== undefined &&
    [
      ts.SyntaxKind.BarBarToken,
      ts.SyntaxKind.QuestionQuestionToken,
      ts.SyntaxKind.AmpersandAmpersandToken,
      ts.SyntaxKind.PlusToken,
    ].includes(op)
  ) {
    return [...(op === ts.SyntaxKind.AmpersandAmpersandToken ? [] : yielded(node.left)), ...yielded(node.right)];
  }
  return [node];
}

function calleeName(call: ts.CallExpression | ts.NewExpression): string {
  const e = call.expression;
  if (ts.isIdentifier(e)) return e.text;
  if (ts.isPropertyAccessExpression(e)) return e.name.text;
  return '';
}

/** Scans one source text; `file` names it in the findings. */
export function scanSource(file: string, source: string): Finding[] {
  const sf = ts.createSourceFile(
    file,
    source,
    ts.ScriptTarget.Latest,
    true,
    file.endsWith('x') ? ts.ScriptKind.TSX : ts.ScriptKind.TS,
  );
  const out: Finding[] = [];
  const report = (node: ts.Node, text: string, where: string): void => {
    const t = text.replace(/\s+/g, ' ').trim();
    if (!hasWords(t) || ALLOWED[`${file}: ${t}`]) return;
    out.push({ file, line: sf.getLineAndCharacterOfPosition(node.getStart(sf)).line + 1, text: t, where });
  };
  const reportValue = (expr: ts.Expression, where: string): void => {
    for (const e of yielded(expr)) {
      const text = literalText(e);
      if (text !== undefined) report(e, text, where);
    }
  };
  const visit = (node: ts.Node): void => {
    if (ts.isJsxText(node)) report(node, node.text, 'JSX text');
    else if (
      ts.isJsxExpression(node) &&
      node.expression &&
      (ts.isJsxElement(node.parent) || ts.isJsxFragment(node.parent))
    )
      reportValue(node.expression, 'JSX child');
    else if (ts.isJsxAttribute(node) && USER_ATTRIBUTES.has(node.name.getText(sf)) && node.initializer) {
      if (ts.isStringLiteral(node.initializer))
        report(node.initializer, node.initializer.text, `${node.name.getText(sf)}=`);
      else if (ts.isJsxExpression(node.initializer) && node.initializer.expression)
        reportValue(node.initializer.expression, `${node.name.getText(sf)}=`);
    } else if (ts.isPropertyAssignment(node) && USER_FIELDS.has(node.name.getText(sf).replace(/['"]/g, '')))
      reportValue(node.initializer, `${node.name.getText(sf)}:`);
    else if (ts.isCallExpression(node) && SHOWING_CALLS.test(calleeName(node)))
      for (const a of node.arguments) reportValue(a, `${calleeName(node)}()`);
    else if (ts.isCallExpression(node) && !NOT_SHOWING.has(calleeName(node))) {
      // A phrase handed to a helper that renders it (`select('Immediate answer …', …)`, `check('Send …')`).
      for (const a of node.arguments) {
        for (const e of yielded(a)) {
          const text = literalText(e);
          if (text !== undefined && isPhrase(text)) report(e, text, `${calleeName(node) || 'call'}() argument`);
        }
      }
    } else if (ts.isNewExpression(node) && calleeName(node) === 'Error')
      for (const a of node.arguments ?? []) reportValue(a, 'new Error()');
    ts.forEachChild(node, visit);
  };
  visit(sf);
  return out;
}

/** The page's sources and the desktop shell's (its bundled output and type files aside). */
function sources(): string[] {
  const files: string[] = [];
  for (const dir of ['renderer/src', 'electron']) {
    for (const e of readdirSync(join(root, dir), { recursive: true, withFileTypes: true })) {
      if (e.isFile() && /\.tsx?$/.test(e.name) && !e.name.endsWith('.d.ts'))
        files.push(relative(root, join(e.parentPath, e.name)));
    }
  }
  return files.sort();
}

describe('user-visible texts come from the catalogue', () => {
  it('no text in renderer/src or electron/ is written in the code (beyond the reviewed allowlist)', () => {
    const found = sources().flatMap((f) => scanSource(f, readFileSync(join(root, f), 'utf8')));
    expect(found.map((f) => `${f.file}:${f.line} ${f.where} "${f.text}"`)).toEqual([]);
  });

  it('every allowlisted text is still in its file (the list stays short and true)', () => {
    for (const key of Object.keys(ALLOWED)) {
      const [file, text] = key.split(': ') as [string, string];
      expect(readFileSync(join(root, file), 'utf8'), key).toContain(text);
    }
  });

  it('finds each kind of written-in text', () => {
    const src = `
      function A({ t, ok }: any) {
        setError('The bridge is gone');
        const options = [{ value: 'a', label: 'Network (TCP)' }];
        throw new Error(\`no catalogue for \${ok}\`);
        return (
          <div title="Close" aria-label={ok ? t('x') : 'Views'}>
            Dashboard
            {ok ? 'Live' : t('app.reconnecting')}
            <TextField label="Port" placeholder={t('p')} hint={\`Now: \${ok}\`} />
            {t('fine')} {' '} {ok ? '—' : ''} <span className={ok ? 'link-up' : 'link-down'} />
          </div>
        );
      }
      tray.setToolTip('Register Bridge — ready');
      const menu = [{ label: 'Quit', click: () => 0 }];
      const field = check('Close the connection after each answer', 'closeAfterAnswer', t('x'));
      document.querySelector('main [aria-invalid="true"]');
    `;
    expect(scanSource('x.tsx', src).map((f) => `${f.where} ${f.text}`)).toEqual([
      'setError() The bridge is gone',
      'label: Network (TCP)',
      'new Error() no catalogue for',
      'title= Close',
      'aria-label= Views',
      'JSX text Dashboard',
      'JSX child Live',
      'label= Port',
      'hint= Now:',
      'setToolTip() Register Bridge — ready',
      'label: Quit',
      'check() argument Close the connection after each answer',
    ]);
  });
});
