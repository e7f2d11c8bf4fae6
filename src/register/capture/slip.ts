/**
 * The short slip printed after a captured payment (options.slip): outcome, amount, ref, authorisation code and
 * masked card number, in plain ESC/POS that every receipt printer takes, in the listener's language. ASCII only (no
 * code table needed): other letters are transliterated (ä → ae, Я → Ya).
 */
import { toDecimal, type Money } from '../../domain/money';
import type { Outcome } from '../../domain/vocabulary';
import { languageOf, translator } from '../../i18n/index';
import { formatDate, formatTime } from '../../i18n/format';
import { asciiText } from '../../i18n/transliterate';
import { printedMoney } from '../../receipts/layout';

export interface SlipFacts {
  /** The configured title; default the catalogue's ("CARD PAYMENT", "KARTENZAHLUNG"). */
  readonly title?: string;
  /** BCP 47 locale of the slip's words, amount and date (none: English, as the register writes amounts). */
  readonly locale?: string;
  readonly outcome: Outcome;
  readonly amount: Money;
  readonly ref: string;
  readonly at: Date;
  readonly decimal: ',' | '.';
  readonly authCode?: string;
  readonly panMasked?: string;
  readonly cardScheme?: string;
  readonly message?: string;
}

const ESC = 0x1b;
const GS = 0x1d;
const LF = 0x0a;

const two = (n: number): string => String(n).padStart(2, '0');

export function slipBytes(f: SlipFacts): Uint8Array {
  const out: number[] = [];
  const cmd = (...bytes: number[]): void => void out.push(...bytes);
  const t = translator('receipt', f.locale);
  const language = languageOf(f.locale);
  const line = (s: string): void => {
    for (const ch of asciiText(s, language)) out.push(ch.charCodeAt(0));
    out.push(LF);
  };
  const date = `${f.at.getFullYear()}-${two(f.at.getMonth() + 1)}-${two(f.at.getDate())}`;
  const time = `${two(f.at.getHours())}:${two(f.at.getMinutes())}`;
  const when = f.locale
    ? `${formatDate(date, f.locale)} ${formatTime(`${time}:${two(f.at.getSeconds())}`, f.locale)}`
    : `${date} ${time}`;
  const amount = f.locale
    ? printedMoney(f.amount.minor, f.amount.currency, f.locale)
    : `${f.amount.currency} ${toDecimal(f.amount, { separator: f.decimal })}`;
  cmd(ESC, 0x40); // ESC @: initialise
  cmd(ESC, 0x61, 1); // ESC a 1: centre
  cmd(ESC, 0x45, 1); // ESC E 1: bold
  line(f.title ?? t('short.title.sale'));
  line(f.outcome === 'in_doubt' ? t('slip.inDoubt') : t(`outcome.${f.outcome}`));
  cmd(ESC, 0x45, 0);
  line(amount);
  cmd(ESC, 0x61, 0); // left
  line(`${t('slip.reference')}  ${f.ref}`);
  if (f.cardScheme || f.panMasked) line(`${t('slip.card')} ${[f.cardScheme, f.panMasked].filter(Boolean).join(' ')}`);
  if (f.authCode) line(`${t('slip.auth')} ${f.authCode}`);
  // The payment's own words are English (journal); on a slip in another language the outcome line says enough.
  if (f.outcome !== 'approved' && f.message && language === 'en') line(f.message.slice(0, 42));
  line(when);
  cmd(ESC, 0x64, 4); // ESC d 4: feed 4 lines
  cmd(GS, 0x56, 66, 0); // GS V 66 0: feed and partial cut
  return Uint8Array.from(out);
}
