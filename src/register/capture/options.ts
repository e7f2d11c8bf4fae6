/**
 * Options of the capture listeners ("pole-display", "printer"), from the listener's `options` in the config.
 * See docs/legacy-registers.md for every option with examples. Validated when the service starts: a wrong
 * pattern or a missing slip printer stops the start with one clear line instead of failing at the first sale.
 */
import { z } from 'zod';
import { BridgeError } from '../../domain/errors';
import { isKnownCurrency } from '../../domain/currency';
import { listenerTransport } from '../../config/schema';
import { compileFilter, compileTotalPattern, DEFAULT_PATTERN_FLAGS, type TotalRule } from './total';
import { coreText } from '../../i18n/core-text';
import { codedIssue } from '../../config/issue-text';

export type CaptureMode = 'pole-display' | 'printer';

const currencyCode = z.string().refine(isKnownCurrency, codedIssue(coreText('config.currency')));
const regexSource = z.string().min(1).max(2000);

/** Where captured bytes are passed on to (the real display or printer), and where slips go. */
export const forwardTransport = listenerTransport.refine(
  (t) => t.type !== 'hid',
  codedIssue(coreText('config.noHidForward')),
);
export type ForwardTransport = z.infer<typeof listenerTransport>;

const common = {
  /** Currency of a total whose text names none. */
  currency: currencyCode.default('EUR'),
  /** Regular expression with a named group "amount" (groups named currency… may name the currency). */
  pattern: regexSource.optional(),
  patternFlags: z
    .string()
    .regex(/^[imsu]*$/, 'may contain only the flags i, m, s and u')
    .default(DEFAULT_PATTERN_FLAGS),
  /** How the register writes amounts: "auto" tells "1.234,56" from "1,234.56" by position. */
  decimal: z.enum(['auto', ',', '.']).default('auto'),
  /** Which match counts when the text has several. */
  pick: z.enum(['first', 'last']).default('first'),
  /** Text that makes a total not count (e.g. "BAR|CASH|KOPIE|COPY"). */
  ignore: regexSource.optional(),
  /** Only text matching this counts (e.g. "KARTE|EC-CASH"). */
  require: regexSource.optional(),
  /** The same total again within this window is held for confirmation instead of charged; 0 turns it off. */
  duplicateWindowMs: z.number().int().min(0).max(86_400_000).default(60_000),
  /** First part of the generated refs: PREFIX-YYYYMMDD-NNNN. */
  refPrefix: z
    .string()
    .regex(/^[A-Za-z0-9_]{1,16}$/, 'must be 1–16 letters, digits or "_"')
    .optional(),
  /** The real display / printer behind the bridge: every byte is passed on unchanged. */
  forward: forwardTransport.optional(),
  /** How long to wait before dialling the forward device again after it failed. */
  forwardRetryMs: z.number().int().min(10).max(600_000).default(2_000),
  /** Bytes kept for the forward device while it is unreachable; beyond that the oldest are dropped (logged). */
  forwardBufferBytes: z
    .number()
    .int()
    .min(1024)
    .max(256 * 1024 * 1024)
    .default(8 * 1024 * 1024),
  /** Print a short slip with the outcome after each payment. */
  slip: z.boolean().default(false),
  /** Printer for slips (default for "printer": the forward printer). */
  slipPrinter: forwardTransport.optional(),
  /** Default: the catalogue's, in the listener's language ("CARD PAYMENT", "KARTENZAHLUNG"). */
  slipTitle: z
    .string()
    .regex(/^[\x20-\x7e]{0,42}$/, 'must be up to 42 printable ASCII characters')
    .optional(),
  /** Terminal for the payments (default: the listener's). */
  terminal: z.string().min(1).max(64).optional(),
  /** Accepted here because the listener schema checks it (no authentication beyond loopback). */
  allowRemote: z.boolean().optional(),
  /** Set by the service from the listener's own fields; not used by capture listeners. */
  token: z.unknown().optional(),
  password: z.unknown().optional(),
};

const poleSchema = z
  .object({
    ...common,
    /** "stable": the total shown unchanged for stableMs; "keyword": one of the keywords appears. */
    trigger: z.enum(['stable', 'keyword']).default('stable'),
    stableMs: z.number().int().min(0).max(600_000).default(1_500),
    keywords: z.array(z.string().min(1).max(40)).min(1).default(['KARTE', 'CARD']),
    columns: z.number().int().min(1).max(80).default(20),
    rows: z.number().int().min(1).max(8).default(2),
    initialMode: z.enum(['overwrite', 'vscroll', 'hscroll']).default('vscroll'),
    lineFeedReturns: z.boolean().default(true),
    /** Match the total across the display's lines ("TOTAL" above, "12,34" below). */
    acrossLines: z.boolean().default(true),
  })
  .strict();

const printerSchema = z
  .object({
    ...common,
    receiptEnd: z
      .object({
        /** A cut command ends the receipt. */
        cut: z.boolean().default(true),
        /** ESC @ (initialise) ends the receipt before it. */
        init: z.boolean().default(false),
        /** The register closing the print job (TCP connection) ends the receipt. */
        endOfJob: z.boolean().default(true),
        /** No bytes for this long ends the receipt; 0 = off. */
        idleMs: z.number().int().min(0).max(600_000).default(0),
        /** A text line matching this ends the receipt (after that line). */
        pattern: regexSource.optional(),
      })
      .strict()
      .default({ cut: true, init: false, endOfJob: true, idleMs: 0 }),
    /** Answer status queries (DLE EOT, GS r) as an idle, ready printer when no real printer is behind. */
    answerStatus: z.boolean().default(true),
    acrossLines: z.boolean().default(false),
  })
  .strict();

/** The options schema of a capture mode (field-by-field checks for the settings page). */
export function captureOptionsSchema(mode: CaptureMode): typeof poleSchema | typeof printerSchema {
  return mode === 'pole-display' ? poleSchema : printerSchema;
}

type PoleInput = z.output<typeof poleSchema>;
type PrinterInput = z.output<typeof printerSchema>;

interface Compiled {
  readonly rule: TotalRule;
  readonly ignoreRe: RegExp | undefined;
  readonly requireRe: RegExp | undefined;
  readonly refPrefix: string;
}

export type PoleOptions = PoleInput & Compiled & { readonly mode: 'pole-display'; readonly keywordPattern: RegExp };
export type PrinterOptions = PrinterInput &
  Compiled & { readonly mode: 'printer'; readonly endPattern: RegExp | undefined };
export type CaptureOptions = PoleOptions | PrinterOptions;

function parseWith<T>(schema: z.ZodType<T>, input: unknown, what: string): T {
  const r = schema.safeParse(input ?? {});
  if (!r.success) {
    const issue = r.error.issues[0]!;
    throw new BridgeError('config_invalid', `${what} options.${issue.path.join('.') || '(options)'}: ${issue.message}`);
  }
  return r.data;
}

function compile(
  o: PoleInput | PrinterInput,
  acrossLines: boolean,
  defaultPrefix: string,
): Omit<Compiled, 'refPrefix'> & { refPrefix: string } {
  return {
    rule: {
      pattern: compileTotalPattern(o.pattern, o.patternFlags),
      decimal: o.decimal,
      currency: o.currency,
      pick: o.pick,
      acrossLines,
    },
    ignoreRe: compileFilter(o.ignore, 'ignore', o.patternFlags),
    requireRe: compileFilter(o.require, 'require', o.patternFlags),
    refPrefix: o.refPrefix ?? defaultPrefix,
  };
}

const escapeRe = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

export function parsePoleOptions(input: unknown): PoleOptions {
  const o = parseWith(poleSchema, input, 'pole-display');
  if (o.slip && !o.slipPrinter)
    throw new BridgeError(
      'config_invalid',
      'pole-display options.slipPrinter: slips need a printer (a transport such as {"type":"tcp","host":"192.168.1.50","port":9100})',
    );
  const keywordPattern = new RegExp(
    `(?<![\\p{L}\\p{N}])(?:${o.keywords.map(escapeRe).join('|')})(?![\\p{L}\\p{N}])`,
    'iu',
  );
  return { ...o, ...compile(o, o.acrossLines, 'POLE'), mode: 'pole-display', keywordPattern };
}

export function parsePrinterOptions(input: unknown): PrinterOptions {
  const o = parseWith(printerSchema, input, 'printer');
  if (o.slip && !o.slipPrinter && !o.forward)
    throw new BridgeError(
      'config_invalid',
      'printer options.slip: slips need the real printer ("forward") or a "slipPrinter"',
    );
  const endPattern = compileFilter(o.receiptEnd.pattern, 'receiptEnd.pattern', o.patternFlags);
  return { ...o, ...compile(o, o.acrossLines, 'PRN'), mode: 'printer', endPattern };
}
