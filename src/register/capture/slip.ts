/**
 * The short slip printed after a captured payment (options.slip): outcome, amount, ref, authorisation code and
 * masked card number, in plain ESC/POS that every receipt printer takes. ASCII only (no code table needed).
 */
import { toDecimal, type Money } from '../../domain/money';
import type { Outcome } from '../../domain/vocabulary';

export interface SlipFacts {
  readonly title: string;
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

const WORDS: Readonly<Record<Outcome, string>> = {
  approved: 'APPROVED',
  declined: 'DECLINED',
  cancelled: 'CANCELLED',
  failed: 'FAILED',
  in_doubt: 'NOT CONFIRMED - CHECK TERMINAL',
};

const ESC = 0x1b;
const GS = 0x1d;
const LF = 0x0a;

const ascii = (s: string): string => s.replace(/[^\x20-\x7e]/g, '?');
const two = (n: number): string => String(n).padStart(2, '0');

export function slipBytes(f: SlipFacts): Uint8Array {
  const out: number[] = [];
  const cmd = (...bytes: number[]): void => void out.push(...bytes);
  const line = (s: string): void => {
    for (const ch of ascii(s)) out.push(ch.charCodeAt(0));
    out.push(LF);
  };
  const when = `${f.at.getFullYear()}-${two(f.at.getMonth() + 1)}-${two(f.at.getDate())} ${two(f.at.getHours())}:${two(f.at.getMinutes())}`;
  cmd(ESC, 0x40); // ESC @: initialise
  cmd(ESC, 0x61, 1); // ESC a 1: centre
  cmd(ESC, 0x45, 1); // ESC E 1: bold
  line(f.title);
  line(WORDS[f.outcome]);
  cmd(ESC, 0x45, 0);
  line(`${f.amount.currency} ${toDecimal(f.amount, { separator: f.decimal })}`);
  cmd(ESC, 0x61, 0); // left
  line(`Ref  ${f.ref}`);
  if (f.cardScheme || f.panMasked) line(`Card ${[f.cardScheme, f.panMasked].filter(Boolean).join(' ')}`);
  if (f.authCode) line(`Auth ${f.authCode}`);
  if (f.outcome !== 'approved' && f.message) line(f.message.slice(0, 42));
  line(when);
  cmd(ESC, 0x64, 4); // ESC d 4: feed 4 lines
  cmd(GS, 0x56, 66, 0); // GS V 66 0: feed and partial cut
  return Uint8Array.from(out);
}
