/**
 * References that happen to look like card numbers stay intact. An IPP SID is a random UUID; now and then its first
 * three groups (or its last two) are all digits, and one time in ten those 16 digits pass the Luhn check. The card
 * mask used to turn such a SID into "****1111-…" in the journal, so COMPLETE_TX went out under a SID the terminal did
 * not know, its transaction stayed open and every following sale on that terminal was refused. Found by the bench at
 * 50 lanes (16 failed sales, nobody charged twice).
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { money } from '../../src/domain/money';
import { Journal } from '../../src/journal/journal';
import { luhnValid, redactText } from '../../src/log/redact';
import { ScriptedDriver } from '../helpers/scripted-driver';
import { tempDirs } from '../helpers/temp-dirs';
import { startedBridge } from '../helpers/bridge-parts';

const SID_LIKE_A_CARD = '41111111-1111-1111-a2cf-8d127ae52357'; // groups 1–3: 4111 1111 1111 1111, Luhn-valid
const SID_TAIL_LIKE_A_CARD = '9f0c2b7e-5d4a-4c3e-4111-111111111111'; // groups 4–5: 16 digits, Luhn-valid

const tmp = tempDirs('rb-sid-');

describe('card-number mask and references', () => {
  it('leaves UUIDs alone, digits or not, and still masks a card number next to one', () => {
    expect(luhnValid('4111111111111111')).toBe(true);
    expect(redactText(SID_LIKE_A_CARD)).toBe(SID_LIKE_A_CARD);
    expect(redactText(SID_TAIL_LIKE_A_CARD)).toBe(SID_TAIL_LIKE_A_CARD);
    expect(redactText(`SID ${SID_LIKE_A_CARD} card 4111 1111 1111 1111`)).toBe(`SID ${SID_LIKE_A_CARD} card ****1111`);
    expect(redactText('4111-1111-1111-1111')).toBe('****1111');
  });

  it('never changes a random UUID', () => {
    fc.assert(
      fc.property(fc.uuid(), (id) => redactText(id) === id && redactText(`sid=${id};`) === `sid=${id};`),
      { numRuns: 2000, seed: 42 },
    );
    // Digit-only UUIDs, the shape that used to be masked.
    const digits = fc.stringMatching(/^[0-9]{8}-[0-9]{4}-[0-9]{4}-[0-9]{4}-[0-9]{12}$/);
    fc.assert(
      fc.property(digits, (id) => redactText(id) === id),
      { numRuns: 2000, seed: 7 },
    );
  });

  it('the journal keeps such a SID exactly, and the terminal is confirmed under it', async () => {
    const journal = Journal.open(tmp());
    const driver = new ScriptedDriver('t1');
    driver.script(async (_cmd, ctx) => {
      await ctx.beforeSend(SID_LIKE_A_CARD);
      return {
        outcome: 'approved',
        fields: {},
        driverRef: SID_LIKE_A_CARD,
        needsSettlement: true,
        message: 'Approved',
      };
    });
    const bridge = await startedBridge(journal, driver);
    const who = { listener: 'pos', register: 'pos' };
    const h = await bridge.submit(who, { kind: 'sale', ref: 'SID-1', amount: money(990, 'EUR') });
    expect((await h.result).outcome).toBe('approved');
    expect(journal.list({ ref: 'SID-1' })[0]!.driverRef).toBe(SID_LIKE_A_CARD);
    await bridge.delivery(who, 'SID-1', 'written');
    // The settle decision is flushed to disk first (real fdatasync), then COMPLETE_TX goes out.
    for (const end = Date.now() + 20_000; Date.now() < end && driver.settled.length === 0;)
      await new Promise((r) => setTimeout(r, 5));
    expect(driver.settled).toEqual([{ driverRef: SID_LIKE_A_CARD, decision: 'complete' }]);
    await bridge.close();
    journal.close();
  });
});
