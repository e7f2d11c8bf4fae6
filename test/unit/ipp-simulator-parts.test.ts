/**
 * The simulated terminal's parts on their own: magic-amount table, ledger arithmetic, the state file, and the
 * terminal-side framing.
 */
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { magicFor, MAGIC_AMOUNTS } from '../../src/terminal/simulator/ipp-magic';
import { IppLedger, type IppLedgerEntry } from '../../src/terminal/simulator/ipp-ledger';
import { loadIppState, saveIppState } from '../../src/terminal/simulator/ipp-state-file';
import { IppFrameSplitter } from '../../src/terminal/simulator/ipp-frames';
import { encodeIpp } from '../../src/terminal/ipp/codec';
import { IppSimulator } from '../../src/terminal/simulator/ipp-simulator';

const dir = mkdtempSync(join(tmpdir(), 'ipp-sim-unit-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('magic amounts', () => {
  it('go by the last two digits of the minor units', () => {
    expect(magicFor(1051)?.behaviour).toBe('insufficient_funds');
    expect(magicFor(51)?.behaviour).toBe('insufficient_funds');
    expect(magicFor(99_999_955)?.behaviour).toBe('wrong_pin');
    expect(magicFor(113)?.behaviour).toBe('user_cancel');
    expect(magicFor(105)?.behaviour).toBe('no_card');
    expect(magicFor(5)?.behaviour).toBe('no_card');
    expect(magicFor(1091)?.behaviour).toBe('host_unreachable');
    expect(magicFor(1077)).toMatchObject({ behaviour: 'approve', slow: true });
    expect(magicFor(1099)?.behaviour).toBe('silent');
    expect(magicFor(1234)).toBeUndefined();
    expect(magicFor(1500)).toBeUndefined();
  });

  it('every other suffix approves', () => {
    const magic = new Set(MAGIC_AMOUNTS.map((m) => m.suffix));
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 999_999_999 }), (minor) => {
        const suffix = String(minor % 100).padStart(2, '0');
        expect(magicFor(minor) === undefined).toBe(!magic.has(suffix));
      }),
    );
  });
});

function entry(over: Partial<IppLedgerEntry>): IppLedgerEntry {
  return {
    sid: 's',
    method: 'PURCHASE',
    kind: 'sale',
    reference: 'R',
    amountMinor: 100,
    currency: 'EUR',
    state: 'completed',
    status: 0,
    fields: {},
    at: '2026-01-01T00:00:00.000Z',
    updatedAt: '2026-01-01T00:00:00.000Z',
    ...over,
  };
}

describe('ledger', () => {
  it('netCharges counts sales and pre-auth completions that stand; refunds and holds apart', () => {
    const changes: string[] = [];
    const l = new IppLedger((e) => changes.push(`${e.sid}:${e.state}`));
    l.add(entry({ sid: 'a', state: 'open' }));
    l.add(entry({ sid: 'b', state: 'completed' }));
    l.add(entry({ sid: 'c', state: 'cancelled' }));
    l.add(entry({ sid: 'd', state: 'reversed' }));
    l.add(entry({ sid: 'e', state: 'declined', status: 14 }));
    l.add(entry({ sid: 'f', state: 'aborted', status: 13 }));
    l.add(entry({ sid: 'g', kind: 'refund', method: 'REFUND', state: 'completed' }));
    l.add(entry({ sid: 'h', kind: 'preauth', state: 'completed', preauthCode: '123456' }));
    l.add(entry({ sid: 'i', kind: 'preauth_completion', method: 'COMPLETE_PREAUTH', state: 'completed' }));
    l.add(entry({ sid: 'j', kind: 'cancel_tx', method: 'CANCEL_TX', state: 'done' }));
    l.add(entry({ sid: 'k', reference: 'OTHER', state: 'completed' }));
    expect(l.netCharges('R')).toBe(3); // a, b, i
    expect(l.netRefunds('R')).toBe(1);
    expect(l.activeHolds('R')).toBe(1);
    expect(l.netCharges('OTHER')).toBe(1);
    expect(l.netCharges('nobody')).toBe(0);
    expect(l.open()?.sid).toBe('a');

    l.update('a', { state: 'cancelled' });
    l.update('h', { state: 'captured' });
    expect(l.netCharges('R')).toBe(2);
    expect(l.activeHolds('R')).toBe(0);
    expect(l.open()).toBeUndefined();
    expect(changes.slice(-2)).toEqual(['a:cancelled', 'h:captured']);
    expect(l.findByPreauthCode('123456')?.sid).toBe('h');
    expect(l.usedPreauthCode('123456')).toBe(true);
  });

  it('hands out copies: changing what it returned changes nothing inside', () => {
    const l = new IppLedger();
    l.add(entry({ sid: 'a', fields: { AMOUNT: '1.00' } }));
    const copy = l.all()[0]!;
    copy.state = 'reversed';
    copy.fields.AMOUNT = '9.99';
    expect(l.find('a')).toMatchObject({ state: 'completed', fields: { AMOUNT: '1.00' } });
  });

  it('finds the most recent entry for a repeated SID (the terminal does not check uniqueness)', () => {
    const l = new IppLedger();
    l.add(entry({ sid: 'x', amountMinor: 1 }));
    l.add(entry({ sid: 'x', amountMinor: 2 }));
    expect(l.find('x')?.amountMinor).toBe(2);
  });

  it('STAN wraps after 999999 and survives a snapshot', () => {
    const l = new IppLedger();
    l.restore({ version: 1, entries: [], stan: 999_998 });
    expect(l.nextStan()).toBe(999_999);
    expect(l.nextStan()).toBe(1);
    const again = new IppLedger();
    again.restore(l.snapshot());
    expect(again.nextStan()).toBe(2);
  });
});

describe('state file', () => {
  it('saves atomically (no temporary file left) and loads back', () => {
    const file = join(dir, 'a.json');
    expect(loadIppState(file)).toBeUndefined();
    const l = new IppLedger();
    l.add(entry({ sid: 'a', state: 'open' }));
    l.nextStan();
    saveIppState(file, l.snapshot());
    expect(readdirSync(dir).filter((n) => n.includes('.tmp'))).toEqual([]);
    expect(loadIppState(file)).toEqual(l.snapshot());
  });

  it('refuses a corrupt or foreign file instead of guessing', () => {
    const bad = join(dir, 'bad.json');
    writeFileSync(bad, '{"version":1,');
    expect(() => loadIppState(bad)).toThrow(/not valid JSON/);
    writeFileSync(bad, JSON.stringify({ version: 2, entries: [] }));
    expect(() => loadIppState(bad)).toThrow(/unexpected shape/);
    expect(() => new IppSimulator({ stateFile: bad })).toThrow(/unexpected shape/);
    // Values are replayed on the wire: a hand-edited CR LF or a non-ASCII byte would break framing.
    const snapshot = { version: 1, stan: 1, entries: [entry({ fields: { REFERENCE_NUMBER: 'A\r\nSTATUS=0' } })] };
    writeFileSync(bad, JSON.stringify(snapshot));
    expect(() => loadIppState(bad)).toThrow(/unexpected shape/);
  });
});

describe('terminal-side framing', () => {
  it('splits coalesced and partial messages; echoes METHOD and SID of an undecodable one', () => {
    const f = new IppFrameSplitter();
    const a = encodeIpp([
      ['PROTOCOL', 'IPP'],
      ['METHOD', 'PING'],
      ['SID', '1'],
    ]);
    const junkBody = Buffer.from('METHOD=PING\r\nSID=2\r\n');
    const junk = Buffer.concat([Buffer.from([0, junkBody.length + 2]), junkBody]);
    const both = Buffer.concat([a, junk, a.subarray(0, 5)]);
    const out = f.push(both);
    expect(out).toHaveLength(2);
    expect(out[0]).toMatchObject({ ok: true });
    expect(out[1]).toMatchObject({ ok: false, method: 'PING', sid: '2' });
    expect(f.pending).toBe(5);
    expect(f.push(a.subarray(5))).toEqual([expect.objectContaining({ ok: true })]);
    expect(f.pending).toBe(0);
  });

  it('drops everything after a length header below 2', () => {
    const f = new IppFrameSplitter();
    expect(f.push(Buffer.from([0x00, 0x01, 0x41]))).toEqual([
      expect.objectContaining({ ok: false, error: expect.stringMatching(/below 2/) }),
    ]);
    expect(f.pending).toBe(0);
  });

  it('does not echo an unprintable or over-long SID', () => {
    const f = new IppFrameSplitter();
    const body = Buffer.from(`SID=${'x'.repeat(128)}\r\nMETHOD=P\u00ffNG\r\n`, 'latin1');
    const frame = Buffer.concat([Buffer.from([0, body.length + 2]), body]);
    expect(f.push(frame)).toEqual([{ ok: false, error: expect.any(String) }]);
  });
});

describe('simulator options', () => {
  it('refuses a card that is not given as a masked PAN', () => {
    expect(() => new IppSimulator({ card: { panMasked: '5413330000001234' } })).toThrow(/masked PAN/);
  });
  it('refuses an unknown currency', () => {
    expect(() => new IppSimulator({ currency: 'XXQ' })).toThrow(/currency/);
  });
});
