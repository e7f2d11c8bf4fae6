/**
 * The log's names for the card-data policy (src/domain/card-data.ts): free text masked by the log text rule
 * (card numbers keep their last four digits, track data and bearer tokens are replaced), PAN fields by the log PAN
 * rule ("****1234"), stored values scrubbed with references kept exactly.
 */
import { panRules, textRules } from '../domain/card-data';

export { isReferenceKey, isUnmaskedPanField, luhnValid, scrubCardData, isCardNumber } from '../domain/card-data';

/** Card numbers, track data and bearer tokens in free text masked before the text reaches a log line or the journal. */
export const redactText: (text: string) => string = textRules.log;

/** Masks a PAN for display and storage: only the last four digits, e.g. "****1234". Already-masked input is normalised. */
export const maskPan: (pan: string | undefined) => string | undefined = panRules.log;
