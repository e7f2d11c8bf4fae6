/**
 * A register's reference is an identifier, never card data: a 14-digit timestamp ref that happens to pass the Luhn
 * check (like one in ten such refs) comes back to the register, into the journal, the status view and the receipt
 * exactly as sent; its delivery report matches, so the approval is settled at once instead of being reversed after
 * the delivery timeout. A card number in free text is still masked.
 */
import { once } from 'node:events';
import { afterEach, describe, expect, it } from 'vitest';
import { luhnValid } from '../../src/log/redact';
import { startHarness, type Harness } from '../helpers/bridge-harness';

let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

const REF = '20261207171301';

describe('references that look like card numbers', () => {
  it('a Luhn-valid numeric ref is returned, journaled, shown and printed unmasked, delivered and settled', async () => {
    expect(luhnValid(REF)).toBe(true);
    // A long delivery timeout: a payment still unsettled when the test looks could only be one whose delivery report
    // matched nothing.
    h = await startHarness({
      service: { bridge: { healthIntervalMs: 0, deliveryTimeoutMs: 120_000, busyBackoffMs: 10 } },
    });
    const harness = h;
    const till = await harness.client();
    till.send({ op: 'hello', id: 'h', register: 'till-1', receipts: 'text' });
    await till.waitFor((m) => m.type === 'hello');
    till.send({ op: 'sale', id: 's', ref: REF, amount: 1950, currency: 'EUR' });
    const result = await till.waitFor((m) => m.type === 'result');
    expect(result).toMatchObject({ ref: REF, outcome: 'approved' });
    expect(JSON.stringify((result as { receipt?: unknown }).receipt)).toContain(REF);

    const who = { listener: 'pos', register: 'pos/till-1' };
    // Delivered (the report matched the ref) and settled with the terminal: no open transaction, one net charge.
    while (!harness.service.bridge.status(who, REF)?.delivered || harness.sim.openTransaction() !== undefined) {
      await Promise.race([once(harness.service.bridge, 'payment'), once(harness.sim, 'ledger')]);
    }
    const view = harness.service.bridge.status(who, REF)!;
    expect(view).toMatchObject({ ref: REF, delivered: true, outcome: 'approved' });
    expect(view.reversed).toBeFalsy();
    expect(view.result?.ref).toBe(REF);
    expect(harness.sim.netCharges(REF)).toBe(1);

    const [record] = harness.service.journal.allByRef('pos/till-1', REF);
    expect(record!.result?.ref).toBe(REF);
    expect(JSON.stringify(harness.service.journal.events(record!.id))).not.toContain('****1301');
    const receipt = harness.service.bridge.receipt!(who, REF, {});
    expect(receipt!.merchant.join('\n')).toContain(REF);
  }, 30_000);
});
