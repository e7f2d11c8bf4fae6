/**
 * A power cut, modelled on the journal's files: the database file as it is, and the write-ahead log cut back to what
 * the last flush had made durable (everything appended after it may be lost; SQLite ignores a partial frame). A new
 * bridge then recovers from that copy against the same terminal, whose ledger survived. At each point where the bridge
 * had acted — the request on its way to the terminal, the result handed to the register, COMPLETE_TX sent — the copy
 * must hold what recovery needs, and the end must be: nothing lost, nothing charged twice.
 *
 * What this shows is group commit's claim (src/journal/wal-flusher.ts): the bridge acts only on commits a flush has
 * made durable. (A SIGKILL keeps everything the OS holds; that is the crash harness's model, test/chaos.)
 */
import { copyFileSync, fdatasync, fstatSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Bridge } from '../../src/bridge/bridge';
import { money } from '../../src/domain/money';
import { Journal } from '../../src/journal/journal';
import { silentLogger } from '../../src/log/logger';
import type { TerminalOutcome } from '../../src/terminal/driver';
import { ScriptedDriver } from '../helpers/scripted-driver';
import { tempDirs } from '../helpers/temp-dirs';
import { startedBridge } from '../helpers/bridge-parts';

type TxState = 'open' | 'completed' | 'cancelled';

/** The terminal's own memory: what it charged, under which SID, and how each transaction ended. It survives the cut. */
class Ledger {
  readonly tx = new Map<string, TxState>();
  /** Net charges: open or completed transactions. */
  charged(): number {
    return [...this.tx.values()].filter((s) => s !== 'cancelled').length;
  }
}

/** A terminal on the ledger: approves (two-phase), answers lookups and COMPLETE_TX / CANCEL_TX from it. */
function terminal(ledger: Ledger, onSent?: (sid: string) => void): ScriptedDriver {
  const d = new ScriptedDriver('t1');
  d.lookupAnswer = (q): TerminalOutcome | undefined => {
    const s = q.driverRef ? ledger.tx.get(q.driverRef) : undefined;
    if (!s) return { outcome: 'failed', fields: {}, message: 'The terminal has no such transaction' };
    if (s === 'cancelled') return { outcome: 'cancelled', fields: {}, driverRef: q.driverRef!, message: 'Cancelled' };
    return {
      outcome: 'approved',
      fields: {},
      driverRef: q.driverRef!,
      needsSettlement: s === 'open',
      message: 'Approved',
    };
  };
  d.settleAnswer = (sid, decision) => {
    if (ledger.tx.get(sid) !== 'open') return { ok: true, message: 'nothing open', nothingOpen: true };
    ledger.tx.set(sid, decision === 'complete' ? 'completed' : 'cancelled');
    return { ok: true, message: decision };
  };
  d.script(async (_cmd, ctx, sid) => {
    await ctx.beforeSend(sid);
    // The request is on the wire: the terminal charges the card under this SID.
    ledger.tx.set(sid, 'open');
    onSent?.(sid);
    return {
      outcome: 'approved',
      fields: { authCode: 'A1' },
      driverRef: sid,
      needsSettlement: true,
      message: 'Approved',
    };
  });
  return d;
}

const tmp = tempDirs('rb-powercut-');

/** The journal with its flush noting how much of the log each flush made durable. */
function openJournal(dir: string): { journal: Journal; durableLogBytes: () => number } {
  let durable = 0;
  const journal = Journal.open(dir, {
    flush: (fd) =>
      new Promise<void>((resolve, reject) => {
        const size = fstatSync(fd).size;
        fdatasync(fd, (e) => {
          if (e) return reject(e);
          durable = Math.max(durable, size);
          resolve();
        });
      }),
  });
  // Opening commits with its own fsync (migrations, the open mark): all of the log so far is durable.
  durable = statSync(join(dir, 'journal.sqlite-wal')).size;
  return { journal, durableLogBytes: () => durable };
}

/** The files a power cut leaves: the database file, and the log up to its last flush. */
function powerCut(dir: string, durableLogBytes: number): string {
  const out = tmp();
  copyFileSync(join(dir, 'journal.sqlite'), join(out, 'journal.sqlite'));
  writeFileSync(
    join(out, 'journal.sqlite-wal'),
    readFileSync(join(dir, 'journal.sqlite-wal')).subarray(0, durableLogBytes),
  );
  return out;
}

/** A new bridge on the copy, against the same terminal: recovery runs at start. */
async function recoverFrom(copy: string, ledger: Ledger): Promise<{ journal: Journal; bridge: Bridge }> {
  const journal = Journal.open(copy);
  const bridge = new Bridge({
    journal,
    terminals: [{ driver: terminal(ledger) }],
    log: silentLogger(),
    version: 't',
    healthIntervalMs: 0,
    recoveryMinMs: 10,
    recoveryMaxMs: 20,
  });
  await bridge.start();
  await bridge.recoverNow();
  return { journal, bridge };
}

const who = { listener: 'pos', register: 'pos' };

describe('power cut: the bridge acts only on what is on disk', () => {
  it('cut while the request is on its way to the terminal: the copy knows the SID, recovery finds the charge and reverses it', async () => {
    const dir = tmp();
    const ledger = new Ledger();
    const { journal, durableLogBytes } = openJournal(dir);
    let copy = '';
    const driver = terminal(ledger, () => (copy = powerCut(dir, durableLogBytes())));
    const bridge = await startedBridge(journal, driver);
    const h = await bridge.submit(who, { kind: 'sale', ref: 'PC-1', amount: money(1500, 'EUR') });
    await h.result;
    await bridge.close();
    journal.close();

    const sid = [...ledger.tx.keys()][0]!;
    const after = await recoverFrom(copy, ledger);
    const r = after.journal.list({ ref: 'PC-1' })[0];
    expect(r, 'the payment survived the cut').toBeDefined();
    expect(r!.driverRef).toBe(sid);
    // The register never heard of an approval: by the documented rule it is reversed. Charged: nothing.
    expect(r!.outcome).toBe('cancelled');
    expect(ledger.tx.get(sid)).toBe('cancelled');
    expect(ledger.charged()).toBe(0);
    await after.bridge.close();
    after.journal.close();
  });

  it('cut after the register got the result: the copy holds the outcome; cut after COMPLETE_TX: it holds the decision', async () => {
    const dir = tmp();
    const ledger = new Ledger();
    const { journal, durableLogBytes } = openJournal(dir);
    const driver = terminal(ledger);
    let afterComplete = '';
    const settle = driver.settleAnswer;
    driver.settleAnswer = (sid, decision) => {
      afterComplete = powerCut(dir, durableLogBytes());
      return settle(sid, decision);
    };
    const bridge = await startedBridge(journal, driver);
    const h = await bridge.submit(who, { kind: 'sale', ref: 'PC-2', amount: money(2500, 'EUR') });
    const result = await h.result;
    expect(result.outcome).toBe('approved');
    const afterResult = powerCut(dir, durableLogBytes());
    await bridge.delivery(who, 'PC-2', 'written');
    for (const end = Date.now() + 20_000; Date.now() < end && !afterComplete;)
      await new Promise((r) => setTimeout(r, 5));
    await bridge.close();
    journal.close();
    const sid = [...ledger.tx.keys()][0]!;
    expect(ledger.tx.get(sid)).toBe('completed');

    // After the result: the outcome is there (not "never sent", not lost).
    const one = await recoverFrom(afterResult, new Ledger());
    const r1 = one.journal.list({ ref: 'PC-2' })[0]!;
    expect(r1.driverRef).toBe(sid);
    expect(r1.result?.outcome ?? r1.outcome).not.toBeNull();
    expect(one.journal.events(r1.id).map((e) => e.type)).toContain('outcome');
    await one.bridge.close();
    one.journal.close();

    // After COMPLETE_TX: the decision to complete is there, so recovery completes (the terminal has nothing open) and
    // never reverses a sale the register accepted. Charged once.
    const two = await recoverFrom(afterComplete, ledger);
    const r2 = two.journal.list({ ref: 'PC-2' })[0]!;
    expect(r2.outcome).toBe('approved');
    expect(r2.settlement).toBe('completed');
    expect(ledger.tx.get(sid)).toBe('completed');
    expect(ledger.charged()).toBe(1);
    await two.bridge.close();
    two.journal.close();
  });
});
