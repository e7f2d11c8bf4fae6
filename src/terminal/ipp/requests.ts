/**
 * IPP requests, read beside mypos-ipp.md §3 (standard properties), §7 (methods), §8.4 (refund, reversal,
 * pre-authorisation), §9 (fields and formats) and the worked example in §13.
 *
 * Order on the wire (§2): PROTOCOL, VERSION, METHOD, SID, then the method's fields, then LANG when configured.
 */
import { BridgeError } from '../../domain/errors';
import type { Money } from '../../domain/money';
import type { TerminalCommand } from '../driver';
import { formatIppAmount, ippCurrency, type IppPairs } from './codec';

export type Pair = readonly [string, string];

/** A request without its standard header; the driver adds the header per attempt (fresh SID, §3). */
export interface IppRequest {
  readonly method: string;
  readonly fields: readonly Pair[];
}

export interface RequestSettings {
  readonly amountDecimals: number;
  /** Terminal currency (alpha); undefined = not checked. */
  readonly currency: string | undefined;
  readonly referenceNumberType: string;
  readonly preauthFlag: string;
  readonly password: string | undefined;
  readonly lang: string | undefined;
}

/** §3 + §2: the full message in send order. */
export function withHeader(version: string, sid: string, request: IppRequest, lang: string | undefined): IppPairs {
  const pairs: Pair[] = [
    ['PROTOCOL', 'IPP'],
    ['VERSION', version],
    ['METHOD', request.method],
    ['SID', sid],
    ...request.fields,
  ];
  if (lang) pairs.push(['LANG', lang]);
  return pairs;
}

/** §9 REFERENCE_NUMBER limit (Cloud Cash-Register API): 50 Latin characters. */
export const REFERENCE_NUMBER_MAX = 50;

/**
 * The register's reference as REFERENCE_NUMBER: accents folded to Latin letters ("é" → "e"), anything that is not
 * printable ASCII dropped, at most 50 characters (§9). The same function serves recovery, which compares the
 * terminal's echo with it.
 */
export function sanitiseReference(reference: string): string {
  return reference
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/[^\x20-\x7e]/g, '')
    .trim()
    .slice(0, REFERENCE_NUMBER_MAX);
}

function bad(code: 'bad_request' | 'invalid_amount' | 'currency_mismatch', message: string): never {
  throw new BridgeError(code, message);
}

function requireAmount(command: TerminalCommand, s: RequestSettings, what = 'amount'): Money {
  const amount = command.amount;
  if (!amount) bad('invalid_amount', `${command.kind} needs an ${what}`);
  checkCurrency(amount, s);
  if (amount.minor <= 0) bad('invalid_amount', `${command.kind} ${what} must be greater than zero`);
  return amount;
}

function checkCurrency(amount: Money, s: RequestSettings): void {
  if (s.currency && amount.currency !== s.currency) {
    bad('currency_mismatch', `the terminal takes ${s.currency}, not ${amount.currency}`);
  }
}

function amountText(amount: Money, s: RequestSettings): string {
  return formatIppAmount(amount, s.amountDecimals);
}

/** REFERENCE_NUMBER_TYPE + REFERENCE_NUMBER (§9), left out when nothing printable remains of the reference. */
function referenceFields(reference: string, s: RequestSettings): Pair[] {
  const ref = sanitiseReference(reference);
  if (!ref) return [];
  return [
    ['REFERENCE_NUMBER_TYPE', s.referenceNumberType],
    ['REFERENCE_NUMBER', ref],
  ];
}

function passwordField(s: RequestSettings): Pair[] {
  return s.password ? [['PASSWORD', s.password]] : [];
}

function preauthCode(command: TerminalCommand): string {
  const code = command.original?.preauthCode;
  // §8.4: 6 digits. Only printable characters are enforced here; the terminal checks the rest (status 39).
  if (!code || !/^[\x21-\x7e]{1,32}$/.test(code))
    bad('bad_request', `${command.kind} needs the pre-authorisation code of the original payment`);
  return code;
}

/** The request for one register command (§7, §8.4, §9). Throws BridgeError for a command the terminal cannot take. */
export function commandRequest(command: TerminalCommand, s: RequestSettings): IppRequest {
  switch (command.kind) {
    case 'sale':
    case 'preauth': {
      // PURCHASE (§7); a pre-authorisation is PURCHASE with PREAUTH_TX (§8.4; flag form unconfirmed, §9).
      const amount = requireAmount(command, s);
      const fields: Pair[] = [
        ['AMOUNT', amountText(amount, s)],
        ['CURRENCY', ippCurrency(amount.currency)],
      ];
      const tip = command.tip ?? 0;
      if (!Number.isInteger(tip) || tip < 0)
        bad('invalid_amount', 'tip must be a non-negative integer number of minor units');
      // Whether AMOUNT includes TIP_AMOUNT is unconfirmed (§14.5); AMOUNT is sent as the command gives it.
      if (tip > 0) fields.push(['TIP_AMOUNT', amountText({ minor: tip, currency: amount.currency }, s)]);
      if (command.kind === 'preauth') fields.push(['PREAUTH_TX', s.preauthFlag]);
      fields.push(...referenceFields(command.reference, s));
      return { method: 'PURCHASE', fields };
    }
    case 'refund': {
      const amount = requireAmount(command, s);
      return {
        method: 'REFUND',
        fields: [
          ['AMOUNT', amountText(amount, s)],
          ['CURRENCY', ippCurrency(amount.currency)],
          ...referenceFields(command.reference, s),
          ...passwordField(s),
        ],
      };
    }
    case 'reversal':
      // §8.4: voids the terminal's last transaction; there is no field naming which one.
      if (command.amount) checkCurrency(command.amount, s);
      return { method: 'REVERSAL', fields: passwordField(s) };
    case 'completion': {
      const code = preauthCode(command);
      const amount = command.amount ?? command.original?.amount;
      if (!amount) bad('invalid_amount', 'completion needs an amount');
      checkCurrency(amount, s);
      if (amount.minor <= 0) bad('invalid_amount', 'completion amount must be greater than zero');
      return {
        method: 'COMPLETE_PREAUTH',
        fields: [
          ['PREAUTH_CODE', code],
          ['COMPLETION_AMOUNT', amountText(amount, s)],
        ],
      };
    }
    case 'preauth_cancel':
      return { method: 'CANCEL_PREAUTH', fields: [['PREAUTH_CODE', preauthCode(command)]] };
    default: {
      const kind: never = command.kind;
      return bad('bad_request', `unknown transaction kind ${String(kind)}`);
    }
  }
}

/** §8.1, §13: COMPLETE_TX / CANCEL_TX name the open transaction by SID_ORIGINAL (sent with a fresh SID, §14.4). */
export function settleRequest(decision: 'complete' | 'cancel', sidOriginal: string): IppRequest {
  return {
    method: decision === 'complete' ? 'COMPLETE_TX' : 'CANCEL_TX',
    fields: [['SID_ORIGINAL', sidOriginal]],
  };
}

/** §8.3: GET_STATUS, optionally naming an earlier payment by SID_ORIGINAL (selector unconfirmed, §14.3). */
export function statusRequest(sidOriginal?: string): IppRequest {
  return { method: 'GET_STATUS', fields: sidOriginal ? [['SID_ORIGINAL', sidOriginal]] : [] };
}

/** §7 (SDK): PING, answered with stage 1 then stage 5 [reported]. */
export function pingRequest(): IppRequest {
  return { method: 'PING', fields: [] };
}

/** Financial methods (§7): a lost answer after acceptance means the outcome is unknown (§4). */
export const FINANCIAL_METHODS: ReadonlySet<string> = new Set([
  'PURCHASE',
  'REFUND',
  'REVERSAL',
  'COMPLETE_PREAUTH',
  'CANCEL_PREAUTH',
  'COMPLETE_TX',
  'CANCEL_TX',
]);
