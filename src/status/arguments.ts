/**
 * The status API's arguments checked at its boundary: one zod schema per StatusApi method, applied by both
 * transports (the HTTP server and the desktop shell's IPC) before the core is called, so the core works with the
 * types the contract declares and never casts what a page sent. A bad argument is a 400 ProblemDetails
 * (`bad_request`, one issue per field) over HTTP and the same problem over IPC.
 *
 * The schemas check shape and type; rules that need the running bridge or give a field its own wording (a
 * calendar day, an amount as typed, a port's range, a credential's label) stay with the method that applies them.
 * Kept apart from contract.ts: the renderer imports the contract and needs no validator in its bundle.
 */
import { z } from 'zod';
import {
  RECEIPT_COLUMNS,
  type FieldIssue,
  type StatusApi,
  type StatusArg,
  type StatusMethod,
  type StatusResult,
} from './contract';
import { StatusProblem } from './problem';
import { OUTCOMES } from '../domain/vocabulary';

/** A method without an argument ignores whatever a page sent with it. */
const none = z.unknown().transform((): undefined => undefined);

/** An argument object every field of which is optional: nothing (undefined, or null from a JSON body) is `{}`. */
function optionalObject<T extends z.ZodRawShape>(shape: T) {
  return z.preprocess((v) => v ?? {}, z.object(shape));
}

const text = z.string();
const wholeNumber = z.number().int();
const LOG_LEVELS = ['trace', 'debug', 'info', 'warn', 'error', 'fatal'] as const;

const DAY = /^(\d{4})-(\d{2})-(\d{2})$/;

/** A calendar day `YYYY-MM-DD` as midnight UTC, or undefined when the text is not one (2026-02-30 is not). */
export function calendarDay(text: string): Date | undefined {
  const m = DAY.exec(text);
  if (!m) return undefined;
  const d = new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])));
  return d.getUTCDate() === Number(m[3]) ? d : undefined;
}

const day = text.refine((d) => calendarDay(d) !== undefined, { error: 'must be a date YYYY-MM-DD' });

/** A query's field left empty in a form is not given. */
function optionalQuery<T extends z.ZodRawShape>(shape: T) {
  return z.preprocess(
    (v) =>
      v && typeof v === 'object' && !Array.isArray(v)
        ? Object.fromEntries(Object.entries(v).filter(([, x]) => x !== ''))
        : (v ?? {}),
    z.object(shape),
  );
}

const journalQuery = optionalQuery({
  ref: text.optional(),
  from: day.optional(),
  to: day.optional(),
  outcome: z.enum([...OUTCOMES, 'open'], { error: `must be one of ${OUTCOMES.join(', ')} or open` }).optional(),
  // An amount as typed: the search reads it in each currency's exponent (and says when it cannot).
  amount: text.optional(),
  limit: wholeNumber.optional(),
});

const credentials = z.object({
  partnerId: text,
  applicationId: text,
  partnerClientId: text,
  partnerSecret: text,
  merchantClientId: text,
  merchantSecret: text,
  environment: z.enum(['demo', 'live'], { error: 'choose Demo or Live' }),
  liveConfirmed: z.boolean().optional(),
});

const secretInput = z.union([z.object({ value: text }), z.object({ env: text })], {
  error: 'must be {"value": …} or {"env": …}',
});

const goLiveRequest = z.object({
  terminal: text,
  credentials: z
    .object({
      partnerId: text,
      applicationId: text,
      partnerClientId: text,
      partnerSecret: secretInput,
      merchantClientId: text,
      merchantSecret: secretInput,
      terminalId: text.optional(),
    })
    .optional(),
});

const reportsQuery = optionalQuery({ day: day.optional() });

/** Every method's argument schema; the mapped type makes each one produce exactly the contract's argument type. */
export const STATUS_ARGUMENTS: { readonly [M in StatusMethod]: z.ZodType<StatusArg<M>> } = {
  state: none,
  journalSearch: journalQuery,
  journalDetail: text.min(1, 'required'),
  journalCsv: journalQuery,
  journalReceipt: z.object({
    id: text.min(1, 'required'),
    width: z.literal(RECEIPT_COLUMNS, { error: `must be one of ${RECEIPT_COLUMNS.join(', ')} columns` }).optional(),
    duplicate: z.boolean().optional(),
  }),
  settingsGet: none,
  // The configuration itself is checked field by field by the settings (its answer is the list of issues).
  settingsValidate: z.unknown(),
  settingsSave: z.object({
    config: z.custom<unknown>((v) => v !== undefined, { error: 'required' }),
    startAtLogin: z.boolean().optional(),
  }),
  logs: optionalObject({
    level: z.enum(LOG_LEVELS).optional(),
    text: text.optional(),
    after: wholeNumber.optional(),
    limit: wholeNumber.optional(),
  }),
  ippPing: z.object({
    host: z.string({ error: 'must be an IP address or host name' }),
    port: z.number({ error: 'must be 1–65535' }),
  }),
  devices: none,
  eposCheck: credentials,
  eposTerminals: credentials,
  eposTestPayment: credentials.extend({
    terminalId: text,
    amountMinor: wholeNumber.optional(),
    currency: text.optional(),
  }),
  testPayment: optionalObject({
    terminal: text.optional(),
    amountMinor: wholeNumber.optional(),
    currency: text.optional(),
  }),
  setPaused: z.boolean(),
  captureDecide: z.object({
    id: text.min(1, 'required'),
    action: z.enum(['confirm', 'discard'], { error: 'must be "confirm" or "discard"' }),
  }),
  holdDecide: z.object({
    id: text.min(1, 'required'),
    action: z.enum(['confirm', 'refuse'], { error: 'must be "confirm" or "refuse"' }),
  }),
  dayReports: reportsQuery,
  endOfDay: none,
  reconcile: reportsQuery,
  securityEvents: none,
  supportBundle: none,
  goLiveCheck: goLiveRequest,
  goLiveSwitch: goLiveRequest,
  supportInfo: none,
};

const TYPE_WORDS: Record<string, string> = {
  string: 'a text',
  number: 'a number',
  int: 'a whole number',
  boolean: 'true or false',
  object: 'an object',
  array: 'a list',
};

/** Plain words for zod's own issues (a schema's explicit message wins over these). */
function words(issue: z.core.$ZodRawIssue): string | undefined {
  if (issue.code === 'invalid_type') {
    if (issue.input === undefined) return 'required';
    return `must be ${TYPE_WORDS[issue.expected] ?? issue.expected}`;
  }
  if (issue.code === 'invalid_value') return `must be one of ${issue.values.map((v) => JSON.stringify(v)).join(', ')}`;
  if (issue.code === 'too_small' && issue.origin === 'number')
    return `must be ${issue.inclusive === false ? 'above' : 'at least'} ${String(issue.minimum)}`;
  return undefined;
}

/** The argument of `method` as its schema reads it, or a 400 StatusProblem naming each bad field. */
export function parseStatusArg<M extends StatusMethod>(method: M, arg: unknown): StatusArg<M> {
  const parsed = (STATUS_ARGUMENTS[method] as z.ZodType<StatusArg<M>>).safeParse(arg, { error: words });
  if (parsed.success) return parsed.data;
  const issues: FieldIssue[] = parsed.error.issues.map((i) => ({ field: i.path.join('.'), message: i.message }));
  const detail = issues.map((i) => (i.field ? `${i.field} ${i.message}` : `the argument ${i.message}`)).join('; ');
  throw new StatusProblem(400, `Bad argument for ${method}: ${detail}`, {
    code: 'bad_request',
    issues: issues.filter((i) => i.field !== ''),
  });
}

/** One call of the status API from a transport: the argument checked by its schema, then the core's method. */
export async function callStatus<M extends StatusMethod>(
  api: StatusApi,
  method: M,
  arg: unknown,
): Promise<StatusResult<M>> {
  const fn = api[method] as (a: StatusArg<M>) => Promise<StatusResult<M>>;
  return fn.call(api, parseStatusArg(method, arg));
}
