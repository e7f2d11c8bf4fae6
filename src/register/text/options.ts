/**
 * Options of a text listener (`protocol: "text"`), from the listener's `options`. Every option has the default
 * of the format in docs/legacy-registers.md ("SALE;<ref>;<amount>;<currency>" → "OK;<ref>;APPROVED;<auth>").
 */
import { z } from 'zod';
import { BridgeError } from '../../domain/errors';
import { isKnownCurrency } from '../../domain/currency';
import { coreText } from '../../i18n/core-text';
import { codedIssue } from '../../config/issue-text';

export const REQUEST_FIELDS = ['command', 'ref', 'amount', 'currency'] as const;
export const ANSWER_FIELDS = ['status', 'ref', 'result', 'detail'] as const;
export type RequestField = (typeof REQUEST_FIELDS)[number];
export type AnswerField = (typeof ANSWER_FIELDS)[number];

const word = z.string().regex(/^[\x21-\x7e]{1,32}$/, 'must be 1–32 printable ASCII characters without spaces');

/** A permutation of `all` (every name exactly once). */
const order = <T extends string>(all: readonly T[]) =>
  z
    .array(z.enum(all as [T, ...T[]]))
    .refine(
      (a) => a.length === all.length && new Set(a).size === all.length,
      codedIssue(coreText('config.orderEach', { names: all.join(', ') })),
    );

const LINE_ENDINGS = { CRLF: '\r\n', LF: '\n', CR: '\r' } as const;

export const textOptionsSchema = z
  .object({
    /** Field separator (one or more characters that cannot occur in a ref or amount). */
    separator: z
      .string()
      .min(1)
      .max(4)
      .refine((s) => !/[\r\n0-9 ]/.test(s), codedIssue(coreText('config.separatorChars')))
      .default(';'),
    /** Line ending of the bridge's answers; requests may end in CR, LF or CR LF. */
    lineEnding: z.enum(['CRLF', 'LF', 'CR']).default('CRLF'),
    /** Decimal separator of amounts, in requests and answers. */
    decimal: z.enum(['.', ',']).default('.'),
    /** Thousands separator the register may put in amounts ("" = none). */
    thousands: z.enum(['', '.', ',', "'", ' ']).default(''),
    /** "decimal": 12.34; "minor": the amount in minor units (1234). */
    amountFormat: z.enum(['decimal', 'minor']).default('decimal'),
    /** Currency of a request whose line has none. */
    currency: z
      .string()
      .refine(isKnownCurrency, codedIssue(coreText('config.currency')))
      .default('EUR'),
    /** Order of the fields of SALE and REFUND; STATUS and CANCEL carry command and ref in the same order. */
    fields: order(REQUEST_FIELDS).default([...REQUEST_FIELDS]),
    /** Order of the fields of every answer line. */
    answerFields: order(ANSWER_FIELDS).default([...ANSWER_FIELDS]),
    /** Send PROGRESS;<ref>;<stage> lines while a payment runs. */
    progress: z.boolean().default(false),
    /** Append the plain-words message as one more field to result lines. */
    message: z.boolean().default(false),
    /** Command words (matched without regard to case). */
    commands: z
      .object({
        sale: word.default('SALE'),
        refund: word.default('REFUND'),
        status: word.default('STATUS'),
        cancel: word.default('CANCEL'),
      })
      .strict()
      .default({ sale: 'SALE', refund: 'REFUND', status: 'STATUS', cancel: 'CANCEL' }),
    /** Words of the answers. */
    words: z
      .object({
        ok: word.default('OK'),
        error: word.default('ERR'),
        progress: word.default('PROGRESS'),
        approved: word.default('APPROVED'),
        declined: word.default('DECLINED'),
        cancelled: word.default('CANCELLED'),
        failed: word.default('FAILED'),
        in_doubt: word.default('IN_DOUBT'),
        pending: word.default('PENDING'),
        cancel: word.default('CANCEL'),
      })
      .strict()
      .default({
        ok: 'OK',
        error: 'ERR',
        progress: 'PROGRESS',
        approved: 'APPROVED',
        declined: 'DECLINED',
        cancelled: 'CANCELLED',
        failed: 'FAILED',
        in_doubt: 'IN_DOUBT',
        pending: 'PENDING',
        cancel: 'CANCEL',
      }),
    /** Longest accepted request line, in bytes. */
    maxLineBytes: z.number().int().min(64).max(65_536).default(1024),
    /** Terminal for the payments (default: the listener's). */
    terminal: z.string().min(1).max(64).optional(),
    /** Accepted here because the listener schema checks it (no authentication beyond loopback). */
    allowRemote: z.boolean().optional(),
    /** Set by the service from the listener's own fields; the text protocol has no login. */
    token: z.unknown().optional(),
    password: z.unknown().optional(),
  })
  .strict()
  .superRefine((o, ctx) => {
    if (o.thousands !== '' && o.thousands === o.decimal)
      ctx.addIssue({ code: 'custom', path: ['thousands'], ...codedIssue(coreText('config.thousandsDiffers')) });
    if ((o.thousands !== '' && o.separator.includes(o.thousands)) || o.separator.includes(o.decimal)) {
      ctx.addIssue({
        code: 'custom',
        path: ['separator'],
        ...codedIssue(coreText('config.separatorHasDecimal')),
      });
    }
  });

export type TextOptions = z.output<typeof textOptionsSchema> & { readonly eol: string };

export function parseTextOptions(input: unknown): TextOptions {
  const r = textOptionsSchema.safeParse(input ?? {});
  if (!r.success) {
    const issue = r.error.issues[0]!;
    throw new BridgeError('config_invalid', `text options.${issue.path.join('.') || '(options)'}: ${issue.message}`);
  }
  return { ...r.data, eol: LINE_ENDINGS[r.data.lineEnding] };
}
