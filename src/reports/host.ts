/**
 * The host's side of a business day, per terminal, for reconciliation:
 * - a driver with a transactions list (ePOS: `/pos/v1/terminals/{tid}/transactions`, mypos-api-gateway.md §8, §9.9)
 *   gives the host's list for the day with a day's margin either side;
 * - otherwise (IPP: no public batch or transaction list, mypos-ipp.md §7) the terminal is asked per payment with
 *   the driver's `lookup` (GET_STATUS naming the payment, §8.3), through `run` so that a lookup never interleaves
 *   with a payment on the same terminal.
 */
import type { PaymentRecord } from '../journal/journal';
import type { HostTransaction, LookupQuery, TerminalDriver, TerminalOutcome } from '../terminal/driver';
import { printedPan } from '../receipts/safe-text';
import type { BusinessDayWindow } from './business-day';
import { RECONCILED_KINDS, type HostView, type TerminalSource } from './reconcile';
import { isOpen } from './totals';
import { addDays } from '../domain/time-zone';

export interface HostAccess {
  readonly terminal: string;
  /** Absent when the terminal cannot be reached from here (`unavailable` says why). */
  readonly driver?: TerminalDriver;
  readonly unavailable?: string;
  /** Runs a driver call without disturbing payments (the bridge's lane); default: at once. */
  readonly run?: <T>(fn: () => Promise<T>) => Promise<T>;
}

export interface HostOptions {
  /** Ask the terminal per payment where it has no transactions list: 'all' (default) or 'none'. */
  readonly lookups?: 'all' | 'none';
}

/**
 * A lookup's answer as the host's record: approved (with the amount the terminal processed), not charged
 * ("declined": declined, cancelled — also an approval reversed on the terminal), null when the terminal has no record of the
 * payment (IPP STATUS 17 TRANSACTION NOT FOUND, mypos-ipp.md §6), undefined when it cannot tell.
 */
export function hostFromLookup(found: TerminalOutcome | undefined): HostTransaction | null | undefined {
  if (!found || found.outcome === 'in_doubt') return undefined;
  const f = found.fields;
  const common = {
    at: f.txDate ? `${f.txDate}${f.txTime ? ` ${f.txTime}` : ''}` : null,
    ...(f.rrn ? { rrn: f.rrn } : {}),
    ...(f.stan ? { stan: f.stan } : {}),
    ...(f.cardScheme ? { cardScheme: f.cardScheme } : {}),
    ...(printedPan(f.panMasked) ? { panMasked: printedPan(f.panMasked)! } : {}),
  };
  switch (found.outcome) {
    case 'approved':
      return {
        status: 'approved',
        statusText: found.message,
        ...(f.processedAmount ? { amount: f.processedAmount } : {}),
        ...common,
      };
    case 'failed':
      if (f.terminalStatus === '17') return null;
      return { status: 'declined', statusText: found.message, ...common };
    default:
      // cancelled (on the terminal, or an approval reversed there) or declined: not charged either way.
      return { status: 'declined', statusText: found.message, ...common };
  }
}

/** The calendar dates asked of a host for a business day: the day before to the day after its end. */
export function hostDates(window: BusinessDayWindow): { dateFrom: string; dateTo: string } {
  return { dateFrom: addDays(window.day, -1), dateTo: addDays(window.day, window.cutoffHour > 0 ? 2 : 1) };
}

export async function fetchHostView(
  access: HostAccess,
  window: BusinessDayWindow,
  records: readonly PaymentRecord[],
  options: HostOptions = {},
): Promise<{ view: HostView; source: TerminalSource }> {
  const run = access.run ?? (<T>(fn: () => Promise<T>) => fn());
  const terminal = access.terminal;
  const driver = access.driver;
  if (!driver) {
    return {
      view: { kind: 'none' },
      source: {
        terminal,
        source: 'none',
        ok: false,
        message: access.unavailable ?? 'the terminal cannot be reached from here',
      },
    };
  }
  if (driver.transactions) {
    const dates = hostDates(window);
    try {
      // A host list is an HTTP call to the host, not to the terminal: it needs no turn on the terminal's lane.
      const transactions = await driver.transactions(dates);
      return {
        view: { kind: 'list', transactions },
        source: {
          terminal,
          source: 'host_list',
          ok: true,
          message: `${transactions.length} host transactions ${dates.dateFrom} to ${dates.dateTo}`,
        },
      };
    } catch (e) {
      return {
        view: { kind: 'none' },
        source: {
          terminal,
          source: 'host_list',
          ok: false,
          message: `the host's transactions could not be read: ${(e as Error).message}`,
        },
      };
    }
  }
  if ((options.lookups ?? 'all') === 'none') {
    return {
      view: { kind: 'none' },
      source: {
        terminal,
        source: 'none',
        ok: true,
        message: 'no transactions list on this link; per-payment lookups are switched off',
      },
    };
  }
  const results = new Map<string, HostTransaction | null | undefined>();
  let asked = 0;
  let told = 0;
  for (const r of records) {
    if (r.terminal !== terminal || !RECONCILED_KINDS.has(r.kind) || !r.driverRef || isOpen(r)) continue;
    if (r.createdAt < window.from || r.createdAt >= window.to) continue;
    const query: LookupQuery = { kind: r.kind, reference: r.bridgeRef, driverRef: r.driverRef, amount: r.amount };
    asked++;
    let answer: HostTransaction | null | undefined;
    try {
      answer = hostFromLookup(await run(() => driver.lookup(query)));
    } catch {
      answer = undefined;
    }
    if (answer !== undefined) told++;
    results.set(r.id, answer);
  }
  return {
    view: { kind: 'lookup', results },
    source: {
      terminal,
      source: 'terminal_lookup',
      ok: told === asked,
      message: `asked the terminal about ${asked} payments, ${told} answered (no transactions list on this link)`,
    },
  };
}
