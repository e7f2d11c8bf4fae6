/**
 * Caisse-AP requests and answers — read beside ../shared/specs/caisse-ap.md §3 (tags), §4 (operation types and the
 * order of refusals), §5 (amount and currency), §6 (the answer) and §7 (result codes).
 */
import { currencyByNumeric, type Currency } from '../../domain/currency';
import type { PaymentResult } from '../../domain/payment';
import { CZ, encodeFields, fieldMap, type Field } from './codec';
import type { CaisseApOptions } from './options';

/** §7 AE: action status. */
export const AE = { DONE: '10', NOT_DONE: '01', TAKEN_INTO_ACCOUNT: '11' } as const;

/** §7 AF: complement to AE. */
export const AF = {
  UNKNOWN: '00',
  AUTHORISED: '01',
  REFUSED: '04',
  FORBIDDEN: '05',
  CARDHOLDER_ABANDON: '06',
  NOT_COMPLETED: '07',
  TIME_OUT: '08',
  FORMAT_ERROR: '09',
  SELECTION_ERROR: '10',
  OPERATOR_ABANDON: '11',
  UNKNOWN_ACTION: '12',
  CURRENCY_NOT_SUPPORTED: '13',
} as const;
export type AfCode = (typeof AF)[keyof typeof AF];

/** §4 CD: operation types. */
export const CD = {
  DEBIT: '0',
  CREDIT: '1',
  CANCELLATION: '2',
  DUPLICATA: '3',
  DEFERRED_DEBIT: '7',
  IDENTIFICATION: 'I',
  TRANSACTION_STATUS: 'T',
} as const;

/** The version answered when a request carried no CZ to echo (the open-source registers' 0300, §3). */
export const DEFAULT_VERSION = '0300';

/** §6.1: the request tags every answer echoes, in request order after CZ (unknown tags, CH, CK and CC are not). */
const ECHOED = new Set(['CJ', 'CA', 'CE', 'BA', 'CD', 'CB', 'BF', 'CF']);

/** §4 step 2: the tags a request must carry (CB not for CD=I and CD=T). */
const MANDATORY = ['CZ', 'CJ', 'CA', 'CB', 'CD', 'CE'] as const;

/**
 * §6.1, §6.2: CZ first — the request's, or DEFAULT_VERSION when it had none — then the echoed tags as the register
 * sent them, each once, in the order of their first appearance, with their last value (§2: the last one wins).
 */
export function echoBlock(fields: readonly Field[]): Field[] {
  const values = fieldMap(fields);
  const out: Field[] = [{ tag: CZ, value: values.get(CZ) ?? DEFAULT_VERSION }];
  const seen = new Set<string>();
  for (const f of fields) {
    if (!ECHOED.has(f.tag) || seen.has(f.tag)) continue;
    seen.add(f.tag);
    out.push({ tag: f.tag, value: values.get(f.tag)! });
  }
  return out;
}

/** An answer: the echo block, AE, AF when given, then the extra fields (card data on approvals, §6.1). */
export function answer(echo: readonly Field[], ae: string, af?: string, extra: readonly Field[] = []): Buffer {
  return encodeFields([
    ...echo,
    { tag: 'AE', value: ae },
    ...(af !== undefined ? [{ tag: 'AF', value: af }] : []),
    ...extra,
  ]);
}

/** What a request asks for, once it passed the checks of §4. */
export type Operation = 'sale' | 'refund' | 'void' | 'identification' | 'status';

export interface ServedRequest {
  readonly op: Operation;
  /** §3 CA, 1–2 characters: the register number. */
  readonly register: string;
  /** §6.3: BA=1, answer at once and run the payment after. */
  readonly immediate: boolean;
  /** Sale, refund, void: the amount in minor units (§5) and its currency (§3 CE). */
  readonly amountMinor?: number;
  readonly currency?: Currency;
  /** §3 CH: the register's own reference, when it sends one (logged with the bridge's ref). */
  readonly externalRef?: string;
}

export type RequestCheck =
  | { readonly ok: true; readonly request: ServedRequest }
  | { readonly ok: false; readonly af: AfCode; readonly reason: string };

const refuse = (af: AfCode, reason: string): RequestCheck => ({ ok: false, af, reason });

const OPERATIONS: Readonly<Record<string, Operation>> = {
  [CD.DEBIT]: 'sale',
  [CD.CREDIT]: 'refund',
  [CD.CANCELLATION]: 'void',
  [CD.IDENTIFICATION]: 'identification',
  [CD.TRANSACTION_STATUS]: 'status',
};

/**
 * §4 "checked in this order" (the busy check, step 1, is the session's): missing mandatory tags (AF=09), an unknown or
 * unsupported CD (AF=12), malformed values (AF=09, §5), a currency other than the terminal's (AF=13), a cheque (AF=10).
 * `terminalCurrency`: the myPOS terminal's ISO alpha code, when the bridge knows it.
 */
export function checkRequest(fields: readonly Field[], terminalCurrency?: string): RequestCheck {
  const m = fieldMap(fields);
  const cd = m.get('CD');
  const noAmount = cd === CD.IDENTIFICATION || cd === CD.TRANSACTION_STATUS;
  const missing = MANDATORY.filter((t) => !m.has(t) && !(t === 'CB' && noAmount));
  if (missing.length > 0) return refuse(AF.FORMAT_ERROR, `missing ${missing.join(', ')}`);
  const op = OPERATIONS[cd!];
  if (op === undefined) return refuse(AF.UNKNOWN_ACTION, `operation type CD=${cd} is not supported`);

  const register = m.get('CA')!;
  if (!/^[0-9A-Za-z]{1,2}$/.test(register)) return refuse(AF.FORMAT_ERROR, 'CA must be one or two letters or digits');
  const ba = m.get('BA');
  if (ba !== undefined && ba !== '0' && ba !== '1') return refuse(AF.FORMAT_ERROR, 'BA must be 0 or 1');
  const ch = m.get('CH');
  const base = { op, register, immediate: ba === '1', ...(ch ? { externalRef: ch } : {}) };
  if (op === 'identification' || op === 'status') return { ok: true, request: base };

  // §5: digits only, 1–12 of them (clients pad to two), not zero.
  const cb = m.get('CB')!;
  if (!/^[0-9]{1,12}$/.test(cb)) return refuse(AF.FORMAT_ERROR, 'CB must be 1–12 digits');
  const amountMinor = Number(cb);
  if (amountMinor === 0) return refuse(AF.FORMAT_ERROR, 'CB must not be zero');
  const ce = m.get('CE')!;
  if (!/^[0-9]{3}$/.test(ce)) return refuse(AF.FORMAT_ERROR, 'CE must be a 3-digit ISO 4217 code');
  let currency: Currency;
  try {
    currency = currencyByNumeric(ce);
  } catch {
    return refuse(AF.CURRENCY_NOT_SUPPORTED, `CE=${ce} is no ISO 4217 currency`);
  }
  if (terminalCurrency !== undefined && currency.code !== terminalCurrency) {
    return refuse(AF.CURRENCY_NOT_SUPPORTED, `the terminal takes ${terminalCurrency}, not ${currency.code}`);
  }
  if (m.get('CC') === '00C') return refuse(AF.SELECTION_ERROR, 'cheques are not taken');
  return { ok: true, request: { ...base, amountMinor, currency } };
}

// ---- the outcome in AE/AF (§7) ---------------------------------------------------------------------------------------

/** Host response codes that mean the card may not be used at all (pick up, lost, stolen, not permitted): AF=05. */
const FORBIDDEN_HOST_CODES = new Set(['04', '07', '41', '43', '57', '62']);

/**
 * §7 "bridge uses it for": approved → 10/01; declined by the issuer → 01/04, or 01/05 for a blocked card; the
 * cardholder cancelled on myPOS (IPP status 13) → 01/06; no card in time (IPP status 5) → 01/08; cancelled by the
 * cashier or the bridge → 01/11; failed (myPOS unreachable, technical) → 01/07; outcome unknown → 01/00.
 * `timedOut`: the bridge itself aborted the payment at its deadline (§9.1) → 01/08.
 */
export function resultCodes(
  result: Pick<PaymentResult, 'outcome' | 'terminalStatus' | 'hostCode' | 'cancelTookEffect'>,
  timedOut = false,
): { ae: string; af: AfCode } {
  const status = result.terminalStatus?.trim();
  switch (result.outcome) {
    case 'approved':
      return { ae: AE.DONE, af: AF.AUTHORISED };
    case 'in_doubt':
      return { ae: AE.NOT_DONE, af: AF.UNKNOWN };
    case 'failed':
      return { ae: AE.NOT_DONE, af: AF.NOT_COMPLETED };
    case 'cancelled':
      if (timedOut || status === '5') return { ae: AE.NOT_DONE, af: AF.TIME_OUT };
      if (status === '13') return { ae: AE.NOT_DONE, af: AF.CARDHOLDER_ABANDON };
      return { ae: AE.NOT_DONE, af: AF.OPERATOR_ABANDON };
    case 'declined': {
      const host = result.hostCode?.trim();
      if (host !== undefined && FORBIDDEN_HOST_CODES.has(host.padStart(2, '0')))
        return { ae: AE.NOT_DONE, af: AF.FORBIDDEN };
      if (status === '7') return { ae: AE.NOT_DONE, af: AF.NOT_COMPLETED }; // chip error: technical
      return { ae: AE.NOT_DONE, af: AF.REFUSED };
    }
  }
}

// ---- card data on an approved answer (§6.1) --------------------------------------------------------------------------

/** §3 CI: reading mode from the myPOS entry mode; undefined when myPOS did not say. */
export function readingMode(entryMode: string | undefined): string | undefined {
  const e = entryMode?.toUpperCase() ?? '';
  if (/CONTACTLESS|NFC|CTLS|TAP/.test(e)) return '2';
  if (/MAG|SWIPE|STRIPE/.test(e)) return '3';
  if (/MANUAL|KEYED|MOTO/.test(e)) return '4';
  if (/CHIP|ICC|EMV|CONTACT|INSERT/.test(e)) return '1';
  return undefined;
}

/**
 * §6.1 CC: the application used, from the card scheme (zero-padded to 3). Amex 002/00D, Diners 006, JCB 009, UnionPay
 * 00U; CB, Visa, Mastercard, Maestro 001 contact / 00B contactless — or 000 for the international schemes when the
 * operator does not want them labelled CB (`schemeApplication: "other"`); anything else 000.
 */
export function applicationCode(
  scheme: string | undefined,
  contactless: boolean,
  schemeApplication: CaisseApOptions['schemeApplication'],
): string {
  const s = scheme?.toUpperCase() ?? '';
  if (/AMEX|AMERICAN/.test(s)) return contactless ? '00D' : '002';
  if (/DINERS|DISCOVER/.test(s)) return '006';
  if (/JCB/.test(s)) return '009';
  if (/UNION\s*PAY|\bCUP\b/.test(s)) return '00U';
  if (/^CB$|CARTE\s*BANCAIRE|CARTES\s*BANCAIRES/.test(s)) return contactless ? '00B' : '001';
  if (/VISA|MASTER|MAESTRO|ELECTRON|V\s*PAY/.test(s))
    return schemeApplication === 'cb' ? (contactless ? '00B' : '001') : '000';
  return '000';
}

/**
 * §3 AA: the PAN, always partial — first six and last four digits at most, every other digit shown as the mask
 * character. Undefined unless the bridge holds a masked PAN it can read (never anything more than that leaves).
 */
export function partialPan(panMasked: string | undefined, mask: CaisseApOptions['panMask']): string | undefined {
  const clean = panMasked?.replace(/[\s-]/g, '') ?? '';
  if (!/^[0-9*#Xx]{8,19}$/.test(clean)) return undefined;
  const head = clean.slice(0, 6);
  const tail = clean.slice(-4);
  const middle = clean.length - 10;
  if (middle < 0) return undefined;
  const masked = `${head}${mask.repeat(middle)}${tail}`.replace(/[*#Xx]/g, mask);
  // Fewer than 10 digits shown ever, and at least one digit hidden.
  return masked.includes(mask) ? masked : undefined;
}

/** §6.1 rows 5–7: CC, CI, AC, AA (AL), AI from what myPOS reported. */
export function cardFields(
  result: PaymentResult,
  o: Pick<CaisseApOptions, 'schemeApplication' | 'panMask' | 'panType'>,
): Field[] {
  const out: Field[] = [];
  const ci = readingMode(result.entryMode);
  out.push({ tag: 'CC', value: applicationCode(result.cardScheme, ci === '2', o.schemeApplication) });
  if (ci !== undefined) out.push({ tag: 'CI', value: ci });
  const ac = printable(result.authCode)?.slice(0, 10);
  if (ac) out.push({ tag: 'AC', value: ac });
  const pan = partialPan(result.panMasked, o.panMask);
  if (pan) {
    out.push({ tag: 'AA', value: pan });
    if (o.panType) out.push({ tag: 'AL', value: '1' });
  }
  const aid = result.aid
    ?.replace(/[^0-9A-Fa-f]/g, '')
    .toUpperCase()
    .slice(0, 32);
  if (aid) out.push({ tag: 'AI', value: aid });
  return out;
}

function printable(s: string | undefined): string | undefined {
  const t = s?.replace(/[^\x20-\x7e]/g, '').trim();
  return t ? t : undefined;
}
