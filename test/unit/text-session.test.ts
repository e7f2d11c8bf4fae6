import { describe, expect, it } from 'vitest';
import { textProtocol } from '../../src/register/text/session';
import { contextFor, FakeApi, MemoryStream, until } from './capture-helpers';

function open(options: Record<string, unknown> = {}) {
  const api = new FakeApi();
  const stream = new MemoryStream();
  textProtocol(options).serve(stream, contextFor(api, 'till'));
  const lines = (): string[] =>
    stream
      .text()
      .split('\r\n')
      .filter((l) => l !== '');
  return { api, stream, lines };
}

describe('text protocol session', () => {
  it('approved and declined sales, each delivery reported as written', async () => {
    const t = open();
    t.stream.feed('SALE;INV-1;12.34;EUR\r\nSALE;INV-2;10.51\r\n');
    await until(() => t.lines().length === 2, 'two answers');
    expect(t.lines().sort()).toEqual(['OK;INV-1;APPROVED;A1B2C3', 'OK;INV-2;DECLINED;51']);
    await until(() => t.api.deliveries.length === 2, 'delivery reports');
    expect(t.api.deliveries).toEqual(
      expect.arrayContaining([
        { ref: 'INV-1', how: 'written', kind: 'sale' },
        { ref: 'INV-2', how: 'written', kind: 'sale' },
      ]),
    );
  });

  it('a bad line gets ERR and the connection lives on', async () => {
    const t = open();
    t.stream.feed('HELLO\r\nSALE;X;abc;EUR\r\n');
    await until(() => t.lines().length === 2, 'errors');
    t.stream.feed('SALE;OK-1;1.00;EUR\r\n');
    await until(() => t.lines().length === 3, 'answer');
    expect(t.lines()).toEqual([
      'ERR;;unknown_op;Unknown operation',
      'ERR;X;invalid_amount;The amount is not valid',
      'OK;OK-1;APPROVED;A1B2C3',
    ]);
    expect(t.stream.destroyed).toBe(false);
  });

  it("a refused request (zero amount) is answered ERR with the bridge's code", async () => {
    const t = open();
    t.stream.feed('SALE;Z;0.00\r\n');
    await until(() => t.lines().length === 1, 'answer');
    expect(t.lines()).toEqual(['ERR;Z;invalid_amount;The amount is not valid']);
  });

  it('STATUS and CANCEL while the sale runs; the sale then ends cancelled', async () => {
    const t = open();
    t.api.hold = true;
    t.stream.feed('SALE;H-1;25.00\r\n');
    await until(() => t.api.submitted.length === 1, 'submit');
    t.stream.feed('STATUS;H-1\r\n');
    await until(() => t.lines().length === 1, 'status');
    t.stream.feed('CANCEL;H-1\r\n');
    await until(() => t.lines().length === 3, 'cancel and result');
    expect(t.lines()).toEqual(['OK;H-1;PENDING;PRESENT_CARD', 'OK;H-1;CANCELLED;', 'OK;H-1;CANCEL;DONE']);
    t.stream.feed('STATUS;H-1\r\nSTATUS;NOPE\r\n');
    await until(() => t.lines().length === 5, 'status answers');
    expect(t.lines().slice(3).sort()).toEqual([
      'ERR;NOPE;unknown_ref;No payment with reference "NOPE" is known for this register',
      'OK;H-1;CANCELLED;',
    ]);
  });

  it('progress lines when switched on', async () => {
    const t = open({ progress: true });
    t.stream.feed('REFUND;RF-1;5.00\n');
    await until(() => t.lines().length === 3, 'progress and result');
    expect(t.lines()).toEqual(['PROGRESS;RF-1;QUEUED', 'PROGRESS;RF-1;PRESENT_CARD', 'OK;RF-1;APPROVED;A1B2C3']);
    expect(t.api.submitted[0]!.request.kind).toBe('refund');
  });

  it('the register gone before its result: reported undeliverable', async () => {
    const t = open();
    t.api.hold = true;
    t.stream.feed('SALE;G-1;3.00\r\n');
    await until(() => t.api.submitted.length === 1, 'submit');
    t.stream.destroy();
    t.api.release('G-1');
    await until(() => t.api.deliveries.length === 1, 'delivery report');
    expect(t.api.deliveries).toEqual([{ ref: 'G-1', how: 'undeliverable', kind: 'sale' }]);
  });

  it('after the register half-closes, pending answers still go out, then our side closes', async () => {
    const t = open();
    t.api.hold = true;
    t.stream.feed('SALE;E-1;3.00\r\n');
    t.stream.finish();
    await until(() => t.api.submitted.length === 1, 'submit');
    expect(t.stream.ended).toBe(false);
    t.api.release('E-1');
    await until(() => t.stream.ended, 'end');
    expect(t.lines()).toEqual(['OK;E-1;APPROVED;A1B2C3']);
  });

  it('an over-long line is answered once and skipped', async () => {
    const t = open({ maxLineBytes: 64 });
    t.stream.feed(`SALE;${'X'.repeat(100)};1.00\r\nSALE;S;1.00\r\n`);
    await until(() => t.lines().length === 2, 'answers');
    expect(t.lines()).toEqual(['ERR;;line_too_long;The line is too long (110 bytes)', 'OK;S;APPROVED;A1B2C3']);
  });

  it('options that do not validate stop the listener from starting', () => {
    expect(() => textProtocol({ decimal: ';' })).toThrow(/text options\.decimal/);
  });
});
