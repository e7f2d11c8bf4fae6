/**
 * What the simulated terminal writes into its ledger and reads back from it onto the wire: the entry of a
 * transaction's outcome and of a follow-up that took effect, the GET_STATUS fields of an entry (§8.3), a fresh
 * pre-authorisation code, amounts in the §9 format, and the properties of an answer in their order (§3).
 */
import { randomInt } from 'node:crypto';
import { formatIppAmount, parseIppAmount } from '../ipp/codec';
import { money, type Money } from '../../domain/money';
import { IPP_STATUS } from './ipp-sim-types';
import type { IppLedger, IppLedgerEntry, IppLedgerKind, IppLedgerState } from './ipp-ledger';
import { LAST_TX_TYPE, type Pairs } from './ipp-receipt';

/** The request an entry is recorded for. */
export interface EntryRequest {
  readonly sid: string;
  readonly method: string;
}

/** A customer transaction's outcome as the ledger keeps it. */
export function outcomeEntry(
  req: EntryRequest,
  o: {
    kind: IppLedgerKind;
    amount: Money;
    tip: Money | undefined;
    reference: string | undefined;
    state: IppLedgerState;
    status: number;
    fields: Pairs;
    preauthCode?: string | undefined;
    at: string;
  },
): IppLedgerEntry {
  return {
    sid: req.sid,
    method: req.method,
    kind: o.kind,
    reference: o.reference,
    amountMinor: o.amount.minor,
    currency: o.amount.currency,
    tipMinor: o.tip?.minor,
    state: o.state,
    status: o.status,
    preauthCode: o.preauthCode,
    fields: Object.fromEntries(o.fields),
    at: o.at,
    updatedAt: o.at,
  };
}

/** A follow-up that took effect, recorded with the original's reference and amount. */
export function actionEntry(
  req: EntryRequest,
  kind: IppLedgerKind,
  original: IppLedgerEntry,
  at: string,
  fields: Pairs = [],
): IppLedgerEntry {
  return {
    sid: req.sid,
    method: req.method,
    kind,
    reference: original.reference,
    amountMinor: original.amountMinor,
    currency: original.currency,
    state: 'done',
    status: IPP_STATUS.OK,
    preauthCode: original.preauthCode,
    originalSid: original.sid,
    fields: Object.fromEntries(fields),
    at,
    updatedAt: at,
  };
}

/** An entry as GET_STATUS reports it: SID_ORIGINAL, LAST_TX_TYPE, TX_STATUS, then its stage-5 fields. */
export function txStatusFields(entry: IppLedgerEntry): Pairs {
  const pairs: Pairs = [
    ['SID_ORIGINAL', entry.sid],
    ['LAST_TX_TYPE', LAST_TX_TYPE[entry.kind]],
    ['TX_STATUS', entry.state.toUpperCase()],
  ];
  for (const [n, v] of Object.entries(entry.fields)) if (n !== 'SID_ORIGINAL') pairs.push([n, v]);
  return pairs;
}

/** A six-digit pre-authorisation code the ledger has not used yet. */
export function freshPreauthCode(book: IppLedger): string {
  for (;;) {
    const code = String(randomInt(100_000, 1_000_000));
    if (!book.usedPreauthCode(code)) return code;
  }
}

/** An amount exactly as §9 writes it ("12.34": digits, ".", exactly `decimals` decimals), else undefined. */
export function parseWireAmount(text: string | undefined, currency: string, decimals: number): Money | undefined {
  if (text === undefined) return undefined;
  const shape = decimals === 0 ? /^[0-9]+$/ : new RegExp(`^[0-9]+\\.[0-9]{${decimals}}$`);
  if (!shape.test(text)) return undefined;
  try {
    return parseIppAmount(text, currency);
  } catch {
    return undefined;
  }
}

export function formatWireAmount(minor: number, currency: string, decimals: number): string {
  return formatIppAmount(money(minor, currency), decimals);
}

/** An answer's properties in order: PROTOCOL, METHOD, SID, STAGE, STATUS, [TIMEOUT], then the fields (§3, §9). */
export function answerPairs(
  method: string | undefined,
  sid: string | undefined,
  stage: number,
  status: number,
  fields: Pairs,
  timeout: number | undefined,
): Pairs {
  const pairs: Pairs = [['PROTOCOL', 'IPP']];
  if (method !== undefined) pairs.push(['METHOD', method]);
  if (sid !== undefined) pairs.push(['SID', sid]);
  pairs.push(['STAGE', String(stage)], ['STATUS', String(status)]);
  if (timeout !== undefined) pairs.push(['TIMEOUT', String(timeout)]);
  pairs.push(...fields);
  return pairs;
}
