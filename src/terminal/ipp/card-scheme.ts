/**
 * Card scheme from the EMV application: the AID's registered application provider id (RID, first 10 hex digits),
 * with a few well-known full AIDs where one RID carries several brands; otherwise from the application label
 * (AID_NAME / APPL_PREF_NAME, mypos-ipp.md §9).
 */

/** Full-AID prefixes that are more specific than their RID. Checked before the RID table. */
const AID_PREFIXES: ReadonlyArray<readonly [string, string]> = [['A0000000043060', 'MAESTRO']];

/** RIDs (ISO 7816-5 registered application provider ids). */
const RIDS: Readonly<Record<string, string>> = {
  A000000003: 'VISA',
  A000000004: 'MASTERCARD',
  A000000005: 'MAESTRO',
  A000000025: 'AMEX',
  A000000065: 'JCB',
  A000000152: 'DISCOVER',
  A000000324: 'DISCOVER',
  A000000333: 'UNIONPAY',
  A000000277: 'INTERAC',
  A000000042: 'CB',
  A000000059: 'GIROCARD',
  A000000658: 'MIR',
  A000000524: 'RUPAY',
  A000000228: 'MEEZA',
  A000000172: 'BANCOMAT',
};

/** Label words, checked in order (MAESTRO before MASTER, DEBIT MASTERCARD stays MASTERCARD). */
const LABELS: ReadonlyArray<readonly [RegExp, string]> = [
  [/MAESTRO/i, 'MAESTRO'],
  [/MASTER\s*CARD|\bMC\b|MCARD/i, 'MASTERCARD'],
  [/VISA|V\s*PAY|ELECTRON/i, 'VISA'],
  [/AMEX|AMERICAN\s*EXPRESS/i, 'AMEX'],
  [/\bJCB\b/i, 'JCB'],
  [/DISCOVER|DINERS/i, 'DISCOVER'],
  [/UNION\s*PAY|\bCUP\b/i, 'UNIONPAY'],
  [/GIROCARD/i, 'GIROCARD'],
  [/INTERAC/i, 'INTERAC'],
];

export function cardSchemeFromAid(aid: string | undefined): string | undefined {
  if (!aid) return undefined;
  const hex = aid.replace(/[^0-9A-Fa-f]/g, '').toUpperCase();
  if (hex.length < 10) return undefined;
  for (const [prefix, scheme] of AID_PREFIXES) if (hex.startsWith(prefix)) return scheme;
  return RIDS[hex.slice(0, 10)];
}

export function cardSchemeFromLabel(label: string | undefined): string | undefined {
  if (!label) return undefined;
  for (const [re, scheme] of LABELS) if (re.test(label)) return scheme;
  return undefined;
}

/** The scheme from the AID, else from the labels; undefined when neither tells. */
export function cardScheme(aid: string | undefined, ...labels: Array<string | undefined>): string | undefined {
  const fromAid = cardSchemeFromAid(aid);
  if (fromAid) return fromAid;
  for (const label of labels) {
    const s = cardSchemeFromLabel(label);
    if (s) return s;
  }
  return undefined;
}
