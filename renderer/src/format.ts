import type { Money, Outcome, TerminalView } from './client/types';

/** Minor-unit digits of currencies that do not have 2 (ISO 4217); display only, by string arithmetic. */
const EXPONENTS: Readonly<Record<string, number>> = {
  JPY: 0, ISK: 0, KRW: 0, CLP: 0, VND: 0, XAF: 0, XOF: 0, UGX: 0, PYG: 0,
  BHD: 3, IQD: 3, JOD: 3, KWD: 3, LYD: 3, OMR: 3, TND: 3,
};

export function formatMoney(m: Money): string {
  const e = EXPONENTS[m.currency] ?? 2;
  const digits = String(m.minor).padStart(e + 1, '0');
  const text = e === 0 ? digits : `${digits.slice(0, -e)}.${digits.slice(-e)}`;
  return `${text} ${m.currency}`;
}

export function formatTime(iso: string | undefined): string {
  if (!iso) return '—';
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? iso : d.toLocaleString();
}

export const OUTCOME_LABELS: Readonly<Record<Outcome, string>> = {
  approved: 'Approved',
  declined: 'Declined',
  cancelled: 'Cancelled',
  failed: 'Failed',
  in_doubt: 'In doubt',
};

export const TERMINAL_STATE_LABELS: Readonly<Record<TerminalView['state'], string>> = {
  ready: 'Ready',
  busy: 'Busy',
  offline: 'Offline',
  recovering: 'Recovering',
};

export const KIND_LABELS: Readonly<Record<string, string>> = {
  sale: 'Sale',
  refund: 'Refund',
  preauth: 'Pre-authorisation',
  reversal: 'Reversal',
  completion: 'Completion',
  preauth_cancel: 'Pre-auth release',
};

/** Signed minor units as text ("-12.34 EUR"): nets and differences may be negative. */
export function formatSigned(minor: number, currency: string): string {
  return minor < 0 ? `-${formatMoney({ minor: -minor, currency })}` : formatMoney({ minor, currency });
}
