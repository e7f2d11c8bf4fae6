import { Bridge } from '../../src/bridge/bridge';
import { Lane, type LaneOptions } from '../../src/bridge/lane';
import type { TerminalDriver } from '../../src/terminal/driver';
import type { TerminalView } from '../../src/bridge/api';
import { money } from '../../src/domain/money';
import type { TransactionKind } from '../../src/domain/vocabulary';
import type { Journal, PaymentPatch, PaymentRecord } from '../../src/journal/journal';
import { silentLogger } from '../../src/log/logger';
import type { ScriptedDriver } from './scripted-driver';

/**
 * The bridge's parts one at a time (lane, settlement, recovery, admission): a lane on a scripted driver that keeps the
 * views it announced, and journal records put in the state a test starts from.
 */
export function testLane(
  driver: ScriptedDriver,
  o: Partial<LaneOptions> = {},
): { lane: Lane; views: TerminalView[]; backOnline: () => number } {
  const views: TerminalView[] = [];
  let back = 0;
  const lane = new Lane({
    id: driver.info.id,
    driver,
    currency: driver.info.currency,
    log: silentLogger(),
    onChange: (v) => void views.push(v),
    onBackOnline: () => void back++,
    ...o,
  });
  return { lane, views, backOnline: () => back };
}

/** A payment recorded as `patch` says (after its intent), on terminal t1 of register "pos". */
export function recorded(
  journal: Journal,
  ref: string,
  patch: PaymentPatch = {},
  kind: TransactionKind = 'sale',
  originalId?: string,
): PaymentRecord {
  const r = journal.insertIntent({
    register: 'pos',
    ref,
    kind,
    amount: money(1000, 'EUR'),
    tip: 0,
    terminal: 't1',
    ...(originalId ? { originalId } : {}),
  });
  return Object.keys(patch).length === 0 ? r : journal.update(r.id, patch, { type: 'outcome' });
}

/** Approved on a two-phase terminal, waiting for its settlement. */
export function approvedOpen(journal: Journal, ref: string, extra: PaymentPatch = {}): PaymentRecord {
  return recorded(journal, ref, {
    outcome: 'approved',
    stage: 'approved_open',
    settlement: 'pending',
    driverRef: `sid-${ref}`,
    message: 'Approved',
    ...extra,
  });
}

/** The journal's event types of a payment, in order. */
export function eventTypes(journal: Journal, id: string): string[] {
  return journal.events(id).map((e) => e.type);
}

/** A started bridge on one terminal with the defaults, no health probes (the tests drive every exchange). */
export async function startedBridge(journal: Journal, driver: TerminalDriver): Promise<Bridge> {
  const bridge = new Bridge({
    journal,
    terminals: [{ driver }],
    log: silentLogger(),
    version: 't',
    healthIntervalMs: 0,
  });
  await bridge.start();
  return bridge;
}
