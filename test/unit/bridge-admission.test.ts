import { describe, expect, it } from 'vitest';
import { Admissions, checkRef } from '../../src/bridge/admission';
import { Lanes } from '../../src/bridge/lane';
import { money } from '../../src/domain/money';
import type { PaymentRequest } from '../../src/domain/payment';
import { Journal } from '../../src/journal/journal';
import { ScriptedDriver } from '../helpers/scripted-driver';
import { recorded, testLane } from '../helpers/bridge-parts';

/** Admission as a table: each request, and what the bridge answers before anything is recorded. */

const who = { listener: 'pos', register: 'pos' };
const eur = (minor: number) => money(minor, 'EUR');

function setup() {
  const journal = Journal.open(':memory:');
  const lanes = new Lanes();
  const t1 = testLane(new ScriptedDriver('t1', 'EUR')).lane;
  const t2 = testLane(new ScriptedDriver('t2', 'BGN')).lane;
  for (const lane of [t1, t2]) {
    lane.endRecovery(true);
    lanes.add(lane);
  }
  const approved = { outcome: 'approved' as const, stage: 'done' as const, driverRef: 'sid' };
  const sale = recorded(journal, 'SALE', approved);
  recorded(journal, 'DECLINED', { outcome: 'declined', stage: 'done', driverRef: 'sid-d' });
  const preauth = recorded(journal, 'PRE', { ...approved, result: preauthResult() }, 'preauth');
  recorded(journal, 'LAST', { ...approved, driverRef: 'sid-last' });
  return { journal, lanes, admissions: new Admissions(journal, lanes), sale, preauth, t1 };
}

function preauthResult() {
  return {
    ref: 'PRE',
    kind: 'preauth' as const,
    outcome: 'approved' as const,
    amount: eur(1000),
    terminal: 't1',
    message: 'ok',
    preauthCode: 'P1',
  };
}

describe('admission', () => {
  const refused: Array<[string, PaymentRequest, string]> = [
    ['an empty ref', { kind: 'sale', ref: '', amount: eur(1) }, 'invalid_ref'],
    ['a ref with a leading space', { kind: 'sale', ref: ' x', amount: eur(1) }, 'invalid_ref'],
    ['a sale without an amount', { kind: 'sale', ref: 'x' }, 'invalid_amount'],
    ['a zero amount', { kind: 'sale', ref: 'x', amount: eur(0) }, 'invalid_amount'],
    ['a refund with a tip', { kind: 'refund', ref: 'x', amount: eur(100), tip: 10 }, 'invalid_amount'],
    [
      'another currency than the terminal takes',
      { kind: 'sale', ref: 'x', amount: money(100, 'BGN') },
      'currency_mismatch',
    ],
    ['an unknown terminal', { kind: 'sale', ref: 'x', amount: eur(1), terminal: 'nope' }, 'unknown_terminal'],
    ['a reversal of an unknown ref', { kind: 'reversal', ref: 'NONE' }, 'unknown_ref'],
    ['a reversal of a declined payment', { kind: 'reversal', ref: 'DECLINED' }, 'not_reversible'],
    ['a reversal of a payment that is not the last', { kind: 'reversal', ref: 'SALE' }, 'not_reversible'],
    ['a reversal of a pre-authorisation', { kind: 'reversal', ref: 'PRE' }, 'not_reversible'],
    ['a completion of a sale', { kind: 'completion', ref: 'SALE', amount: eur(500) }, 'not_reversible'],
    [
      'a completion in another currency',
      { kind: 'completion', ref: 'PRE', amount: money(500, 'BGN') },
      'currency_mismatch',
    ],
  ];
  it.each(refused)('refuses %s', (_name, request, code) => {
    const { admissions } = setup();
    expect(() => admissions.admit(who, request)).toThrow(expect.objectContaining({ code }));
  });

  it('admits a sale on the listener’s terminal, a tip in the same currency, and follow-ups of what they name', () => {
    const { admissions, preauth, t1 } = setup();
    expect(admissions.admit(who, { kind: 'sale', ref: 'NEW', amount: eur(250), tip: 50 })).toEqual({
      admitted: { lane: t1, ref: 'NEW', opClass: 'payment', amount: eur(250), tip: 50 },
    });
    expect(admissions.admit(who, { kind: 'reversal', ref: 'LAST' })).toMatchObject({
      admitted: { opClass: 'reversal', amount: eur(1000), tip: 0 },
    });
    expect(admissions.admit(who, { kind: 'completion', ref: 'PRE', amount: eur(800) })).toMatchObject({
      admitted: { opClass: 'completion', amount: eur(800), originalId: preauth.id },
    });
  });

  it('a known ref comes back to attach to; asking it for something else is ref_conflict', () => {
    const { admissions, sale } = setup();
    const same = admissions.admit(who, { kind: 'sale', ref: 'SALE', amount: eur(1000) });
    expect(same).toEqual({ known: sale });
    expect(() => admissions.checkAttach(sale, { kind: 'sale', ref: 'SALE', amount: eur(1000) })).not.toThrow();
    for (const request of [
      { kind: 'sale', ref: 'SALE', amount: eur(999) },
      { kind: 'refund', ref: 'SALE', amount: eur(1000) },
      { kind: 'sale', ref: 'SALE', amount: eur(1000), tip: 5 },
    ] as PaymentRequest[]) {
      expect(() => admissions.checkAttach(sale, request)).toThrow(expect.objectContaining({ code: 'ref_conflict' }));
    }
  });

  it('an offline terminal takes nothing, and nothing is recorded', () => {
    const { admissions, journal, t1 } = setup();
    t1.applyHealth({ online: false, checkedAt: new Date().toISOString(), message: 'unplugged' }, true);
    expect(() => admissions.admit(who, { kind: 'sale', ref: 'OFF', amount: eur(100) })).toThrow(
      expect.objectContaining({ code: 'terminal_offline' }),
    );
    expect(journal.list({ ref: 'OFF' })).toEqual([]);
  });

  it('refs are 1–64 printable ASCII characters', () => {
    expect(checkRef('A'.repeat(64))).toBe('A'.repeat(64));
    for (const bad of ['A'.repeat(65), 'tab\there', 'trailing ', 42]) expect(() => checkRef(bad)).toThrow();
  });
});
