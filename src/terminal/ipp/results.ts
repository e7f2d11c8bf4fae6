/**
 * What an IPP answer means for the bridge: outcome from STAGE/STATUS (mypos-ipp.md §5, §6, §12 step 5),
 * ResultFields from the §9 response fields, and the `raw` property set with card data removed.
 */
import type { ResultFields } from '../../domain/payment';
import type { Outcome } from '../../domain/vocabulary';
import type { TerminalRefusal } from '../driver';
import { maskPan, redactText } from '../../log/redact';
import { currencyFromIpp, parseIppAmount } from './codec';
import { cardScheme } from './card-scheme';
import { plainStatus, SLAVE_MODE_MESSAGE, STATUS, statusToken } from './statuses';

export interface Verdict {
  readonly outcome: Outcome;
  readonly message: string;
}

function declineReason(props: Readonly<Record<string, string>>): string | undefined {
  const text = [props.DECLINED_REASON1, props.DECLINED_REASON2]
    .map((s) => s?.trim())
    .filter(Boolean)
    .join(' ');
  return text || undefined;
}

/**
 * §6 at STAGE=5:
 * - 0, 100 → approved;
 * - 13 USER CANCEL, 5 NO CARD FOUND → cancelled;
 * - 10, 14 (reason in APPROVAL, Sigma notes), 6, 7 → declined;
 * - 12, 15, 16 (host problems) → failed, flagged for reconciliation;
 * - 17, 18, 19 → failed with a plain message;
 * - 22 NO PAPER: the SDK docs say the transaction succeeded without a receipt, which is not confirmed → in_doubt,
 *   so that recovery asks the terminal (GET_STATUS) instead of guessing either way;
 * - anything else → failed, "not approved, flagged for review" (§6 last paragraph).
 */
export function finalVerdict(status: number | undefined, props: Readonly<Record<string, string>>): Verdict {
  switch (status) {
    case STATUS.OK:
    case STATUS.OK_WITH_INFO:
      return { outcome: 'approved', message: 'Approved' };
    case STATUS.USER_CANCEL:
      return { outcome: 'cancelled', message: plainStatus(status) };
    case STATUS.NO_CARD_FOUND:
      return { outcome: 'cancelled', message: plainStatus(status) };
    case STATUS.MAX_PIN_COUNT:
    case STATUS.INTERNAL_ERROR:
    case STATUS.UNSUPPORTED_CARD:
    case STATUS.CARD_CHIP_ERROR: {
      const reason = declineReason(props);
      const host = props.APPROVAL ? ` (host code ${props.APPROVAL})` : '';
      const base = status === STATUS.INTERNAL_ERROR ? 'Declined' : `Declined: ${plainStatus(status)}`;
      return { outcome: 'declined', message: `${base}${reason ? ` — ${reason}` : ''}${host}` };
    }
    case STATUS.HOST_RECEIVE_ERROR:
    case STATUS.COMMUNICATION_ERROR:
    case STATUS.SSL_ERROR:
    case STATUS.TRANSACTION_NOT_FOUND:
    case STATUS.REVERSAL_NOT_FOUND:
    case STATUS.INVALID_AMOUNT:
      return { outcome: 'failed', message: plainStatus(status) };
    case STATUS.NO_PAPER:
      return {
        outcome: 'in_doubt',
        message: 'The terminal reported NO PAPER at the end; whether the payment went through is being checked',
      };
    case STATUS.SLAVE_NO_WAIT:
    case STATUS.SLAVE_WAIT:
      return { outcome: 'failed', message: SLAVE_MODE_MESSAGE };
    default:
      return {
        outcome: 'failed',
        message: `Not approved, flagged for review: the terminal ended with ${statusToken(status)}${status === undefined ? '' : ` (${status})`}`,
      };
  }
}

export interface Refusal {
  readonly refused: TerminalRefusal;
  readonly message: string;
}

/** §4 step 3, §12 step 3: STAGE=1 with STATUS≠0 — the request was refused and nothing happened. */
export function stageOneRefusal(status: number | undefined): Refusal {
  const text = status === undefined ? '' : String(status);
  switch (status) {
    case STATUS.BUSY:
      return { refused: { code: 'terminal_busy', status: text, retryable: true }, message: plainStatus(status) };
    case STATUS.NOT_COMPLETED_LAST_TX:
      return {
        refused: { code: 'not_completed_last_tx', status: text, retryable: true },
        message: `${plainStatus(status)}: complete or cancel it first`,
      };
    case STATUS.ACTIVATION_REQUIRED:
    case STATUS.MANDATORY_UPDATE:
      return { refused: { code: 'terminal_error', status: text, retryable: false }, message: plainStatus(status) };
    case STATUS.SLAVE_NO_WAIT:
    case STATUS.SLAVE_WAIT:
      return { refused: { code: 'config_invalid', status: text, retryable: false }, message: SLAVE_MODE_MESSAGE };
    default:
      return {
        refused: { code: 'terminal_error', status: text, retryable: false },
        message: `The terminal refused the request: ${plainStatus(status)}`,
      };
  }
}

/**
 * A masked PAN as the terminal sent it when it already is masked to at most first 6 + last 4 digits
 * ("541333******1234"); anything else (a full number, an odd format) is reduced to "****1234".
 */
export function safePanMasked(value: string | undefined): string | undefined {
  if (!value) return undefined;
  const v = value.trim();
  const m = /^([0-9]{0,6})([^0-9]+)([0-9]{0,4})$/.exec(v);
  if (m && /^[*Xx#•.\- ]+$/.test(m[2] ?? '')) return v;
  return maskPan(v);
}

/** Properties that must never leave the driver (card data beyond the masked PAN, binary Slave-mode payloads, secrets). */
const CARD_OR_SECRET =
  /^(PAN|EXPIRE_DATE|EXP_DATE|EMBOSS_NAME|CARDHOLDER_NAME|PASSWORD|DATA|CERT|CHAIN|FINGERPRINT)$|TRACK|CVV|CVC|PIN_BLOCK|EXPIR/;

/** §3 + §9 response fields that are not card data; their values are kept verbatim. */
const KNOWN_SAFE: ReadonlySet<string> = new Set([
  'PROTOCOL',
  'VERSION',
  'METHOD',
  'SID',
  'SID_ORIGINAL',
  'STATUS',
  'STAGE',
  'TIMEOUT',
  'APPROVAL',
  'AUTH_CODE',
  'RRN',
  'STAN',
  'TX_DATE_LOCAL',
  'TX_TIME_LOCAL',
  'TX_STATUS',
  'AMOUNT',
  'CURRENCY',
  'TIP_AMOUNT',
  'REFERENCE_NUMBER',
  'REFERENCE_NUMBER_TYPE',
  'OPERATOR_CODE',
  'TERMINAL_ID',
  'MERCHANT_ID',
  'MERCHANT_NAME',
  'MERCHANT_AL1',
  'MERCHANT_AL2',
  'TERMINAL_NAME',
  'SN',
  'SOFTWARE_VERSION',
  'CURRENT_VERSION',
  'PRINTER',
  'AID',
  'AID_NAME',
  'APPL_PREF_NAME',
  'SIGNATURE_NOT_REQ',
  'CVM',
  'ENTRY_MODE',
  'DECLINED_REASON1',
  'DECLINED_REASON2',
  'CURRENCY_NAME',
  'DCC_AMOUNT',
  'DCC_CURRENCY',
  'DCC_CURRENCY_NAME',
  'DCC_EXCHANGE_RATE',
  'DCC_USED',
  'BALANCE_AMOUNT',
  'BALANCE_CURRENCY',
  'TRIES_LEFT',
  'PREAUTH_CODE',
  'LAST_TX_TYPE',
  'LOGO_TYPE',
  'LOGO_GUID',
  'CONFIG_LOGO',
  'COMPLETION_AMOUNT',
  'PREAUTH_TX',
  'LANG',
]);

/**
 * Every received property for the journal (§9 "keep every received property"), except card data: PAN, expiry,
 * cardholder name, track data and binary payloads are dropped, PAN_MASKED is kept only in masked form, and values
 * of properties we do not know are passed through the log redactor in case they carry a card number.
 */
export function sanitiseRaw(props: Readonly<Record<string, string>>): Record<string, string> {
  const out: Record<string, string> = {};
  const names = Object.keys(props);
  for (let i = 0; i < names.length; i++) {
    const name = names[i]!;
    const value = props[name]!;
    const rule = rawRule(name);
    if (rule === 'pan') {
      const masked = safePanMasked(value);
      if (masked) out[name] = masked;
    } else if (rule === 'safe') out[name] = value;
    else if (rule === 'redact') out[name] = redactText(value);
  }
  return out;
}

/** What `sanitiseRaw` does with a property, by its name: mask the PAN, drop, keep verbatim, or redact its text. */
type RawRule = 'pan' | 'drop' | 'safe' | 'redact';

/**
 * Each property name's rule, found once (a terminal sends the same few dozen names in every answer; the card-data
 * pattern per name was most of `sanitiseRaw`'s time). Bounded: names beyond it are classified each time.
 */
const rawRules = new Map<string, RawRule>();
const RAW_RULES_MAX = 1024;

function rawRule(name: string): RawRule {
  let rule = rawRules.get(name);
  if (rule === undefined) {
    rule =
      name === 'PAN_MASKED' ? 'pan' : CARD_OR_SECRET.test(name) ? 'drop' : KNOWN_SAFE.has(name) ? 'safe' : 'redact';
    if (rawRules.size < RAW_RULES_MAX) rawRules.set(name, rule);
  }
  return rule;
}

function nonEmpty(v: string | undefined): string | undefined {
  const t = v?.trim();
  return t ? t : undefined;
}

/** SIGNATURE_NOT_REQ → signatureRequired (flag form unconfirmed, §9: accept 1/0, Y/N, true/false). */
function signatureRequired(v: string | undefined): boolean | undefined {
  const t = v?.trim().toLowerCase();
  if (t === '1' || t === 'y' || t === 'yes' || t === 'true') return false;
  if (t === '0' || t === 'n' || t === 'no' || t === 'false') return true;
  return undefined;
}

/** §9 response fields → ResultFields. `fallbackCurrency` is used when the answer has AMOUNT but no CURRENCY. */
export function resultFields(props: Readonly<Record<string, string>>, fallbackCurrency?: string): ResultFields {
  const f: ResultFields = {};
  const set = <K extends keyof ResultFields>(key: K, value: ResultFields[K] | undefined): void => {
    if (value !== undefined) f[key] = value;
  };
  set('authCode', nonEmpty(props.AUTH_CODE));
  set('rrn', nonEmpty(props.RRN));
  set('stan', nonEmpty(props.STAN));
  set('terminalId', nonEmpty(props.TERMINAL_ID));
  set('merchantId', nonEmpty(props.MERCHANT_ID));
  set('merchantName', nonEmpty(props.MERCHANT_NAME));
  set('aid', nonEmpty(props.AID));
  set('applicationLabel', nonEmpty(props.APPL_PREF_NAME) ?? nonEmpty(props.AID_NAME));
  set('entryMode', nonEmpty(props.ENTRY_MODE));
  set('hostCode', nonEmpty(props.APPROVAL));
  set('terminalStatus', nonEmpty(props.STATUS));
  set('preauthCode', nonEmpty(props.PREAUTH_CODE));
  set('txDate', nonEmpty(props.TX_DATE_LOCAL));
  set('txTime', nonEmpty(props.TX_TIME_LOCAL));
  set('signatureRequired', signatureRequired(props.SIGNATURE_NOT_REQ));
  set('panMasked', safePanMasked(props.PAN_MASKED));
  set('cardScheme', cardScheme(props.AID, props.APPL_PREF_NAME, props.AID_NAME));
  set('declineReason', declineReason(props));
  const amount = nonEmpty(props.AMOUNT);
  const code = currencyFromIpp(nonEmpty(props.CURRENCY)) ?? (props.CURRENCY ? undefined : fallbackCurrency);
  if (amount && code) {
    try {
      f.processedAmount = parseIppAmount(amount, code);
    } catch {
      // An amount we cannot read exactly is left out of the fields; it stays in `raw`.
    }
  }
  return f;
}
