/**
 * What the simulated terminal says about itself and about a transaction: identity, the test card (masked PAN
 * only), and the receipt fields of stage-5 answers (../shared/specs/mypos-ipp.md §9, §10). Trace numbers and
 * authorisation codes are derived from the STAN so runs are reproducible.
 */
import type { IppLedgerKind } from './ipp-ledger';

export type Pairs = Array<[string, string]>;

/** Who the simulated terminal is: the values GET_STATUS and the receipt fields report. */
export interface IppSimIdentity {
  terminalId: string;
  serialNumber: string;
  softwareVersion: string;
  terminalName: string;
  merchantId: string;
  merchantName: string;
  merchantAddress1: string;
  merchantAddress2: string;
  /** Reported as PRINTER=1 / PRINTER=0 (wire form not public, [inferred]). */
  printer: boolean;
}

/** The one test card the simulated cardholder presents. Masked PAN only: the simulator never has card data. */
export interface IppSimCard {
  panMasked: string;
  aid: string;
  aidName: string;
  applPrefName: string;
}

export const DEFAULT_IDENTITY: IppSimIdentity = {
  terminalId: '80123457',
  serialNumber: 'SIM00000001',
  softwareVersion: '1.0.0-sim',
  terminalName: 'myPOS Simulator',
  merchantId: '6000000001',
  merchantName: 'REGISTER BRIDGE DEMO',
  merchantAddress1: '1 DEMO STREET',
  merchantAddress2: 'SOFIA',
  printer: true,
};

export const DEFAULT_CARD: IppSimCard = {
  panMasked: '541333******1234',
  aid: 'A0000000041010',
  aidName: 'MASTERCARD',
  applPrefName: 'Mastercard Debit',
};

/**
 * LAST_TX_TYPE codes (§8.3, [reported]): 00 purchase, 02 reversal, 20 refund. Pre-authorisations have no
 * reported code; they are purchases on the wire, so 00 (the PREAUTH_CODE field tells them apart).
 */
export const LAST_TX_TYPE: Readonly<Record<IppLedgerKind, string>> = {
  sale: '00',
  preauth: '00',
  preauth_completion: '00',
  refund: '20',
  reversal: '02',
  cancel_tx: '02',
  preauth_cancel: '02',
  complete_tx: '00',
};

/** Host and merchant data of an answer (§9, §10): trace numbers, terminal and merchant, local date and time. */
export function receiptFields(id: IppSimIdentity, stan: number, at: Date): Pairs {
  const stanText = String(stan).padStart(6, '0');
  return [
    ['AUTH_CODE', authCode(stan)],
    ['RRN', `${yymmdd(at)}${stanText}`],
    ['STAN', stanText],
    ['TERMINAL_ID', id.terminalId],
    ['MERCHANT_ID', id.merchantId],
    ['MERCHANT_NAME', id.merchantName],
    ['MERCHANT_AL1', id.merchantAddress1],
    ['MERCHANT_AL2', id.merchantAddress2],
    ['TX_DATE_LOCAL', localDate(at)],
    ['TX_TIME_LOCAL', localTime(at)],
  ];
}

/** Stage-5 receipt data of a card transaction (§9, §10). ENTRY_MODE and CVM words are the simulator's ([inferred]). */
export function cardFields(id: IppSimIdentity, c: IppSimCard, stan: number, at: Date, pin: boolean): Pairs {
  return [
    ...receiptFields(id, stan, at),
    ['PAN_MASKED', c.panMasked],
    ['AID', c.aid],
    ['AID_NAME', c.aidName],
    ['APPL_PREF_NAME', c.applPrefName],
    ['ENTRY_MODE', pin ? 'CHIP' : 'CONTACTLESS'],
    ['CVM', pin ? 'PIN' : 'NONE'],
    ['SIGNATURE_NOT_REQ', '1'],
  ];
}

/** Six upper-case characters derived from the trace number, so runs are reproducible. */
function authCode(stan: number): string {
  return ((stan * 2_654_435_761) % 2_176_782_336).toString(36).toUpperCase().padStart(6, '0');
}

const pad2 = (n: number): string => String(n).padStart(2, '0');

function yymmdd(d: Date): string {
  return `${pad2(d.getFullYear() % 100)}${pad2(d.getMonth() + 1)}${pad2(d.getDate())}`;
}

/** TX_DATE_LOCAL as YYYY-MM-DD and TX_TIME_LOCAL as HH:MM:SS (format not public, §9; clients parse leniently). */
function localDate(d: Date): string {
  return `${d.getFullYear()}-${pad2(d.getMonth() + 1)}-${pad2(d.getDate())}`;
}

function localTime(d: Date): string {
  return `${pad2(d.getHours())}:${pad2(d.getMinutes())}:${pad2(d.getSeconds())}`;
}
