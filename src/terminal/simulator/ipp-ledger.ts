/**
 * The simulated terminal's ledger: every financial effect it had, so tests and the crash harness can check
 * what really happened to the cardholder's money (e.g. "charged exactly once for reference R").
 * Amounts are integer minor units plus an ISO 4217 alpha code. No card data beyond the masked PAN.
 */
import { z } from 'zod';

/** What the entry is. Customer transactions carry money; the others act on an earlier entry (`originalSid`). */
export const IPP_LEDGER_KINDS = [
  'sale', // PURCHASE
  'preauth', // PURCHASE with PREAUTH_TX=1: a hold, not a charge
  'refund', // REFUND
  'preauth_completion', // COMPLETE_PREAUTH: the captured part of a hold, a charge
  'preauth_cancel', // CANCEL_PREAUTH
  'complete_tx', // COMPLETE_TX (§8.1)
  'cancel_tx', // CANCEL_TX (§8.1)
  'reversal', // REVERSAL of the last transaction (§8.4)
] as const;
export type IppLedgerKind = (typeof IPP_LEDGER_KINDS)[number];

/**
 * - open: approved at the terminal, waiting for COMPLETE_TX or CANCEL_TX (§8.1). Money is taken (held on the card).
 * - completed: confirmed (COMPLETE_TX), or approved without a second phase (COMPLETE_PREAUTH).
 * - cancelled: reversed by CANCEL_TX while open. reversed: voided by REVERSAL.
 * - captured / released: a confirmed pre-authorisation later completed (COMPLETE_PREAUTH) or cancelled (CANCEL_PREAUTH).
 * - declined: refused by the host or card (APPROVAL 51, PIN tries exceeded). failed: host unreachable.
 * - aborted: nothing was charged because the cardholder cancelled, presented no card, or the terminal went silent.
 * - done: a follow-up (COMPLETE_TX, CANCEL_TX, REVERSAL, CANCEL_PREAUTH) that took effect.
 */
export const IPP_LEDGER_STATES = [
  'open',
  'completed',
  'cancelled',
  'reversed',
  'captured',
  'released',
  'declined',
  'failed',
  'aborted',
  'done',
] as const;
export type IppLedgerState = (typeof IPP_LEDGER_STATES)[number];

const entrySchema = z.object({
  sid: z.string().regex(/^[\x20-\x7e]{1,127}$/),
  method: z.string(),
  kind: z.enum(IPP_LEDGER_KINDS),
  reference: z
    .string()
    .regex(/^[\x20-\x7e]*$/)
    .optional(),
  amountMinor: z.number().int().nonnegative(),
  currency: z.string().regex(/^[A-Z]{3}$/),
  tipMinor: z.number().int().nonnegative().optional(),
  state: z.enum(IPP_LEDGER_STATES),
  /** Final IPP STATUS the terminal reported at stage 5 (§6). */
  status: z.number().int(),
  preauthCode: z.string().optional(),
  originalSid: z.string().optional(),
  /** The stage-5 properties as sent (PAN masked only); replayed by GET_STATUS, so IPP-safe names and values only. */
  fields: z.record(z.string().regex(/^[A-Z0-9_]+$/), z.string().regex(/^[\x20-\x7e]*$/)),
  at: z.string(),
  updatedAt: z.string(),
});
export type IppLedgerEntry = z.infer<typeof entrySchema>;

export const ippLedgerSnapshotSchema = z.object({
  version: z.literal(1),
  entries: z.array(entrySchema),
  /** Last system trace audit number handed out. */
  stan: z.number().int().nonnegative(),
});
export type IppLedgerSnapshot = z.infer<typeof ippLedgerSnapshotSchema>;

/** Kinds that take money from the cardholder, and the states in which that money stays taken. */
const CHARGE_KINDS: ReadonlySet<IppLedgerKind> = new Set(['sale', 'preauth_completion']);
const TAKEN_STATES: ReadonlySet<IppLedgerState> = new Set(['open', 'completed']);

export class IppLedger {
  private entries: IppLedgerEntry[] = [];
  private stan = 0;

  /** Called after every change with the changed entry (the simulator persists and emits events from here). */
  constructor(private readonly onChange: (entry: IppLedgerEntry) => void = () => {}) {}

  add(entry: IppLedgerEntry): IppLedgerEntry {
    const copy = { ...entry, fields: { ...entry.fields } };
    this.entries.push(copy);
    this.onChange(clone(copy));
    return clone(copy);
  }

  update(sid: string, patch: Partial<Pick<IppLedgerEntry, 'state' | 'updatedAt'>>): IppLedgerEntry {
    const entry = this.findLive(sid);
    if (!entry) throw new Error(`no ledger entry for SID ${sid}`);
    Object.assign(entry, patch);
    this.onChange(clone(entry));
    return clone(entry);
  }

  /** The most recent entry with this SID (the terminal does not check SID uniqueness, §3). */
  find(sid: string): IppLedgerEntry | undefined {
    const e = this.findLive(sid);
    return e && clone(e);
  }

  findByPreauthCode(code: string): IppLedgerEntry | undefined {
    for (let i = this.entries.length - 1; i >= 0; i--) {
      const e = this.entries[i]!;
      if (e.kind === 'preauth' && e.preauthCode === code) return clone(e);
    }
    return undefined;
  }

  /** The transaction waiting for COMPLETE_TX / CANCEL_TX, if any (at most one, §8.1). */
  open(): IppLedgerEntry | undefined {
    return this.last((e) => e.state === 'open');
  }

  last(predicate: (e: IppLedgerEntry) => boolean): IppLedgerEntry | undefined {
    for (let i = this.entries.length - 1; i >= 0; i--) {
      const e = this.entries[i]!;
      if (predicate(e)) return clone(e);
    }
    return undefined;
  }

  all(): IppLedgerEntry[] {
    return this.entries.map(clone);
  }

  usedPreauthCode(code: string): boolean {
    return this.entries.some((e) => e.preauthCode === code);
  }

  nextStan(): number {
    this.stan = (this.stan % 999_999) + 1;
    return this.stan;
  }

  /** How many times money was really taken for a reference: approved sales and pre-auth completions not cancelled or reversed. */
  netCharges(reference: string): number {
    return this.entries.filter(
      (e) => e.reference === reference && CHARGE_KINDS.has(e.kind) && TAKEN_STATES.has(e.state),
    ).length;
  }

  /** How many refunds for a reference stand (approved, not cancelled or reversed). */
  netRefunds(reference: string): number {
    return this.entries.filter((e) => e.reference === reference && e.kind === 'refund' && TAKEN_STATES.has(e.state))
      .length;
  }

  /** How many pre-authorisation holds for a reference are still on the card (approved, neither captured nor released). */
  activeHolds(reference: string): number {
    return this.entries.filter((e) => e.reference === reference && e.kind === 'preauth' && TAKEN_STATES.has(e.state))
      .length;
  }

  snapshot(): IppLedgerSnapshot {
    return { version: 1, entries: this.entries.map(clone), stan: this.stan };
  }

  restore(snapshot: IppLedgerSnapshot): void {
    const parsed = ippLedgerSnapshotSchema.parse(snapshot);
    this.entries = parsed.entries.map(clone);
    this.stan = parsed.stan;
  }

  private findLive(sid: string): IppLedgerEntry | undefined {
    for (let i = this.entries.length - 1; i >= 0; i--) if (this.entries[i]!.sid === sid) return this.entries[i];
    return undefined;
  }
}

function clone(e: IppLedgerEntry): IppLedgerEntry {
  return { ...e, fields: { ...e.fields } };
}
