/**
 * No card data and no secret reaches a log line, whatever a call site passes. Every logging call in src/ is found
 * in the sources (TypeScript's parser), and called again through the real logger and the real rotating log file
 * with the same shape — the same level, the same field names, the same message with its placeholders — but with
 * card numbers, track 1 / track 2 data, CVVs, expiry dates, tokens, passwords and client secrets in every value:
 * as text, as nested objects, and as errors carrying them in their message, fields and cause. The written lines
 * must hold none of them. Child-logger bindings are exercised the same way.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { createLogger, type Logger } from '../../src/log/logger';
import { RotatingFile } from '../../src/log/rotating-file';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const LEVELS = new Set(['trace', 'debug', 'info', 'warn', 'error', 'fatal']);

// ---- what must never be written ----------------------------------------------------------------------------------
const PAN = '4111111111111111';
const PAN_SPACED = '5555 5555 5555 4444';
const PAN_NUMBER = 4012888888881881;
const TRACK1 = `%B${PAN}^DOE/JOHN Q^2512101000000000000000000?`;
const TRACK2 = `;${PAN}=25121010000000000000?`;
const TRACK2_EMV = '5105105105105100D25121010000000000F';
const CVV = '919';
const PASSWORD = 'hunter2pw';
const TOKEN = 'eyJhbGciOiJIUzI1NiJ9.c2Vzc2lvbg.SIGNATUREVALUE';
const PARTNER_SECRET = 'secret_PARTNERSECRETVALUE';
const MERCHANT_SECRET = 'sec_MERCHANTSECRETVALUE';
const BASIC = Buffer.from(`client_1:${PARTNER_SECRET}`).toString('base64');

/** What a written line may not contain (besides its timestamp). */
const FORBIDDEN = [
  PAN,
  '5555555555554444',
  PAN_SPACED,
  String(PAN_NUMBER),
  '5105105105105100',
  'DOE/JOHN',
  '=2512101',
  'D2512101',
  PASSWORD,
  TOKEN,
  'SIGNATUREVALUE',
  PARTNER_SECRET,
  MERCHANT_SECRET,
  'PARTNERSECRETVALUE',
  'MERCHANTSECRETVALUE',
  BASIC,
];

/** Free text a driver, a device or a gateway answer could carry. */
const TEXT = [
  `card ${PAN} / ${PAN_SPACED}`,
  `track1 ${TRACK1} track2 ${TRACK2} tag57 ${TRACK2_EMV}`,
  `cvv=${CVV} "cvv2":"${CVV}"`,
  `Authorization: Bearer ${TOKEN} Authorization: Basic ${BASIC}`,
  `password=${PASSWORD} "client_secret":"${PARTNER_SECRET}" merchant_secret=${MERCHANT_SECRET}`,
  `https://client_1:${PASSWORD}@gateway.example/v1/token?access_token=${TOKEN}`,
].join(' | ');

/** An object as a careless call site might log it (a request, a terminal answer, a config entry). */
function sensitiveObject(): Record<string, unknown> {
  return {
    pan: PAN,
    PAN,
    panMasked: PAN,
    cardNumber: PAN_NUMBER,
    TRACK2,
    track1: TRACK1,
    cvv: CVV,
    CVV2: CVV,
    expiryDate: '2512',
    EXP_DATE: '2512',
    partnerSecret: PARTNER_SECRET,
    merchantSecret: { value: MERCHANT_SECRET },
    password: PASSWORD,
    token: TOKEN,
    headers: { Authorization: `Bearer ${TOKEN}`, 'X-Session': TOKEN, cookie: `session=${TOKEN}` },
    body: JSON.stringify({ card: { pan: PAN, cvv: CVV, track2: TRACK2 }, client_secret: PARTNER_SECRET }),
    props: new Map<string, unknown>([
      ['PAN', PAN],
      ['TRACK2_DATA', TRACK2],
      ['note', TEXT],
    ]),
    raw: Buffer.from(TRACK2),
    url: new URL(`https://client_1:${PASSWORD}@gateway.example/x?secret=${PARTNER_SECRET}`),
    list: [PAN, { cvv: CVV }, TEXT],
    note: TEXT,
  };
}

function sensitiveError(): Error {
  const cause = Object.assign(new Error(`gateway said: ${TEXT}`), {
    code: 'EPOS',
    response: { body: JSON.stringify({ pan: PAN, session: TOKEN }) },
  });
  return Object.assign(new Error(`payment failed for ${PAN} (${TEXT})`, { cause }), {
    card: { pan: PAN, cvv: CVV },
    authorization: `Bearer ${TOKEN}`,
  });
}

const VARIANTS: Record<string, () => unknown> = { text: () => TEXT, object: sensitiveObject, error: sensitiveError };

// ---- the call sites -------------------------------------------------------------------------------------------------
interface CallSite {
  readonly where: string;
  readonly level: string;
  /** Field names of an object literal first argument (undefined: the first argument is not an object literal). */
  readonly keys?: string[];
  /** Whether a first argument is something other than an object literal or the message (an error, a variable). */
  readonly opaqueFirst: boolean;
  /** The message as parts; undefined parts are the template's placeholders. */
  readonly message?: Array<string | undefined>;
  readonly extraArgs: number;
}

interface ChildSite {
  readonly where: string;
  readonly keys: string[];
}

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) return sourceFiles(p);
    return /\.tsx?$/.test(name) && !name.endsWith('.d.ts') ? [p] : [];
  });
}

function isLoggerExpression(e: ts.Expression): boolean {
  const last = ts.isPropertyAccessExpression(e) ? e.name.text : ts.isIdentifier(e) ? e.text : '';
  return /^(log|logger|llog|[a-z]*Log|[a-z]*Logger)$/.test(last);
}

function keysOf(o: ts.ObjectLiteralExpression): string[] {
  const keys: string[] = [];
  for (const p of o.properties) {
    if (
      (ts.isPropertyAssignment(p) || ts.isShorthandPropertyAssignment(p)) &&
      p.name &&
      (ts.isIdentifier(p.name) || ts.isStringLiteral(p.name))
    )
      keys.push(p.name.text);
    else if (ts.isSpreadAssignment(p)) keys.push('spread');
  }
  return keys;
}

function messageOf(e: ts.Expression): Array<string | undefined> {
  if (ts.isStringLiteral(e) || ts.isNoSubstitutionTemplateLiteral(e)) return [e.text];
  if (ts.isTemplateExpression(e)) return [e.head.text, ...e.templateSpans.flatMap((s) => [undefined, s.literal.text])];
  return [undefined];
}

function scan(): { calls: CallSite[]; children: ChildSite[] } {
  const calls: CallSite[] = [];
  const children: ChildSite[] = [];
  for (const file of sourceFiles(join(ROOT, 'src'))) {
    const sf = ts.createSourceFile(file, readFileSync(file, 'utf8'), ts.ScriptTarget.ES2022, true);
    const visit = (node: ts.Node): void => {
      if (
        ts.isCallExpression(node) &&
        ts.isPropertyAccessExpression(node.expression) &&
        isLoggerExpression(node.expression.expression)
      ) {
        const method = node.expression.name.text;
        const where = `${relative(ROOT, file)}:${sf.getLineAndCharacterOfPosition(node.getStart()).line + 1}`;
        const [first, second, ...rest] = node.arguments;
        if (LEVELS.has(method) && first) {
          const firstIsMessage =
            ts.isStringLiteral(first) || ts.isTemplateExpression(first) || ts.isNoSubstitutionTemplateLiteral(first);
          calls.push({
            where,
            level: method,
            ...(ts.isObjectLiteralExpression(first) ? { keys: keysOf(first) } : {}),
            opaqueFirst: !firstIsMessage && !ts.isObjectLiteralExpression(first),
            ...(firstIsMessage ? { message: messageOf(first) } : second ? { message: messageOf(second) } : {}),
            extraArgs: rest.length,
          });
        } else if (method === 'child' && first && ts.isObjectLiteralExpression(first)) {
          children.push({ where, keys: keysOf(first) });
        }
      }
      ts.forEachChild(node, visit);
    };
    visit(sf);
  }
  return { calls, children };
}

// ---- the logger under test: the product's logger writing the product's log file -----------------------------------
const dir = mkdtempSync(join(tmpdir(), 'rb-log-sites-'));
const file = join(dir, 'register-bridge.log');
const sink = new RotatingFile({ file, maxBytes: 64 * 1024 * 1024 });
const logger = createLogger({ level: 'trace', destination: sink });
let offset = 0;
afterAll(() => {
  sink.end();
  rmSync(dir, { recursive: true, force: true });
});

/** The lines written since the last call. */
function newLines(): string[] {
  const all = readFileSync(file);
  const text = all.subarray(offset).toString('utf8');
  offset = all.length;
  return text.split('\n').filter(Boolean);
}

/** What in a line is not allowed, the timestamp aside. */
function leaks(line: string): string[] {
  const obj = JSON.parse(line) as Record<string, unknown>;
  delete obj.time;
  const text = JSON.stringify(obj);
  const found = FORBIDDEN.filter((f) => text.includes(f) || text.includes(JSON.stringify(f).slice(1, -1)));
  // A CVV is three digits: it may not appear next to its field name in any spelling.
  if (new RegExp(`cvv2?[^0-9a-z]{0,6}${CVV}`, 'i').test(text)) found.push(`cvv ${CVV}`);
  return found;
}

function call(log: Logger, site: CallSite, value: () => unknown): void {
  const msg = site.message?.map((part) => part ?? TEXT).join('');
  const extra = Array.from({ length: site.extraArgs }, value);
  const fn = log[site.level as 'info'].bind(log) as (...args: unknown[]) => void;
  if (site.keys) {
    const obj = Object.fromEntries(site.keys.map((k) => [k, value()]));
    fn(obj, msg ?? '', ...extra);
  } else if (site.opaqueFirst) {
    if (site.message) fn(value(), msg, ...extra);
    else fn(value());
  } else {
    fn(msg ?? '', ...extra);
  }
}

const { calls, children } = scan();

describe('log call sites', () => {
  it('are found in the sources', () => {
    // The scan must keep working as code moves: dozens of sites, in every layer.
    expect(calls.length).toBeGreaterThanOrEqual(100);
    for (const layer of ['src/bridge/', 'src/register/', 'src/terminal/', 'src/transport/', 'src/status/']) {
      expect(
        calls.some((c) => c.where.startsWith(layer)),
        layer,
      ).toBe(true);
    }
    expect(children.length).toBeGreaterThanOrEqual(3);
  });

  it('the payloads are what they claim: unredacted they would leak', () => {
    // The same payloads through a logger without the scrubbing show every forbidden value (so the check can fail).
    const raw = JSON.stringify(
      { text: TEXT, object: sensitiveObject(), error: { message: sensitiveError().message } },
      (_k, v: unknown) => (v instanceof Map ? Object.fromEntries(v) : v),
    );
    for (const f of [
      PAN,
      PAN_SPACED,
      'DOE/JOHN',
      '=2512101',
      'D2512101',
      PASSWORD,
      TOKEN,
      PARTNER_SECRET,
      MERCHANT_SECRET,
    ])
      expect(raw).toContain(f);
  });

  for (const [variant, value] of Object.entries(VARIANTS)) {
    it(`write no card data and no secret when every value is ${variant === 'text' ? 'text carrying them' : variant === 'object' ? 'an object carrying them' : 'an error carrying them'}`, () => {
      const problems: string[] = [];
      for (const site of calls) {
        call(logger, site, value);
        const lines = newLines();
        if (lines.length !== 1) problems.push(`${site.where}: ${lines.length} lines written`);
        for (const l of lines) for (const leak of leaks(l)) problems.push(`${site.where} (${site.level}): ${leak}`);
      }
      expect(problems).toEqual([]);
    });
  }

  it('child-logger bindings carrying them are scrubbed too', () => {
    const problems: string[] = [];
    for (const site of children) {
      for (const value of Object.values(VARIANTS)) {
        const child = logger.child(Object.fromEntries(site.keys.map((k) => [k, value()])));
        child.info({ detail: value() }, `after ${TEXT}`);
        child.child({ inner: value() }).warn(value() as object, 'nested child');
        for (const l of newLines()) for (const leak of leaks(l)) problems.push(`${site.where}: ${leak}`);
      }
    }
    expect(problems).toEqual([]);
  });

  it('the file holds the lines (masked card numbers keep their last four digits)', () => {
    const text = readFileSync(file, 'utf8');
    expect(text.split('\n').filter(Boolean).length).toBeGreaterThan(calls.length * 3);
    expect(text).toContain('****1111');
    expect(text).toContain('[track data redacted]');
    expect(text).toContain('[redacted]');
  });
});
