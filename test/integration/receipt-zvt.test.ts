/**
 * Receipts and End-of-Day for a ZVT register, end to end: a ZVT ECR on TCP, the bridge's ZVT listener started by the
 * real service, the simulated myPOS terminal over IPP. A register that prints (Registration config bits 02 and 80)
 * gets the bridge's merchant and customer copies — as 06 D3 text blocks when it listed 06 D3, else as 06 D1 lines;
 * 06 50 closes the bridge's business day too, and the reconciliation follows. A ZVT listener without a locale speaks
 * German (docs/localisation.md): German receipt lines, in ASCII (umlauts transliterated), at the printer's width.
 */
import { once } from 'node:events';
import { connect, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import type { Apdu } from '../../src/register/zvt/apdu';
import { findTlv, parseTlv, readBerLength } from '../../src/register/zvt/tlv';
import type { EndOfDayReport } from '../../src/reports/day-reports';
import type { ReconciliationReport } from '../../src/reports/reconcile';
import { startHarness, type Harness } from '../helpers/bridge-harness';
import { TestEcr } from '../unit/zvt-helpers';

let h: Harness | undefined;
const sockets: Socket[] = [];
afterEach(async () => {
  for (const s of sockets.splice(0)) s.destroy();
  await h?.close();
  h = undefined;
});

async function start(locale?: string): Promise<TestEcr> {
  h = await startHarness({
    listener: { protocol: 'zvt', password: '000000', options: { receipts: 'auto' }, ...(locale ? { locale } : {}) },
  });
  const socket = connect({ host: '127.0.0.1', port: h.port });
  sockets.push(socket);
  await once(socket, 'connect');
  return new TestEcr({ write: (b) => socket.write(b), onData: (l) => socket.on('data', l) }, 'tcp');
}

/** Registration with config BA (ECR prints payment receipts, lines via 06 D1) and the given TLV content. */
async function register(ecr: TestEcr, tlv: string): Promise<void> {
  const tlvBytes = Buffer.from(tlv.replace(/\s+/g, ''), 'hex');
  const data = Buffer.concat([Buffer.from('000000BA', 'hex'), Buffer.from([0x06, tlvBytes.length]), tlvBytes]);
  await ecr.send(Buffer.concat([Buffer.from([0x06, 0x00, data.length]), data]));
  await ecr.expect('80 00 00');
  const done = await ecr.next();
  expect([done.cls, done.instr]).toEqual([0x06, 0x0f]);
  await ecr.ack();
}

/** A 12.34 EUR authorization, acknowledged; returns every print message that followed, each acknowledged. */
async function payAndCollectPrints(ecr: TestEcr): Promise<Apdu[]> {
  await ecr.send('06 01 0C 04 00 00 00 00 12 34 49 09 78 06 00');
  await ecr.expect('80 00 00');
  const prints: Apdu[] = [];
  for (;;) {
    const m = await ecr.next();
    await ecr.ack();
    if (m.cls === 0x06 && m.instr === 0x0f) return prints;
    if (m.cls === 0x04) continue; // 04 FF statuses, 04 0F the result
    prints.push(m);
  }
}

function blockText(a: Apdu): { type: number; lines: string[] } {
  expect(a.data[0]).toBe(0x06);
  const [length, used] = readBerLength(a.data, 1);
  expect(a.data.length).toBe(1 + used + length);
  const tlv = parseTlv(a.data.subarray(1 + used)).elements;
  const text = findTlv(tlv, 0x25)!;
  const type = findTlv(tlv, 0x1f07)!.value[0]!;
  return {
    type,
    lines: (text.children ?? []).filter((e) => e.tag === 0x07).map((e) => Buffer.from(e.value).toString('latin1')),
  };
}

describe('ZVT receipts and End-of-Day with the bridge', () => {
  it('a register that listed 06 D3 gets the merchant copy then the customer copy as text blocks, at its printer width', async () => {
    const ecr = await start();
    // TLV 26: "I can process 06 D3"; TLV 12: printer width 48 (BCD).
    await register(ecr, '26 04 0A 02 06 D3 12 01 48');
    const prints = await payAndCollectPrints(ecr);
    expect(prints.map((p) => [p.cls, p.instr])).toEqual([
      [0x06, 0xd3],
      [0x06, 0xd3],
    ]);
    const [merchant, customer] = prints.map(blockText);
    expect(merchant!.type).toBe(0x01);
    expect(customer!.type).toBe(0x02);
    for (const copy of [merchant!, customer!]) {
      const text = copy.lines.join('\n');
      expect(text).toMatch(/BETRAG +EUR 12,34/);
      for (const word of ['KARTENZAHLUNG', 'ZAHLUNG ERFOLGT', 'Genehmigungs-Nr.', 'Karten-Nr.', 'Terminal-ID'])
        expect(text).toContain(word);
      expect(text).not.toMatch(/APPROVED|TOTAL|COPY|Card number|12\.34/);
      expect(copy.lines.every((l) => /^[\x20-\x7e]*$/.test(l))).toBe(true);
      expect(text).toContain('80123457'); // TID
      expect(text).toMatch(/\*{4}\s?1234/); // masked PAN only
      expect(text).not.toMatch(/\b\d{13,19}\b/);
      expect(copy.lines.every((l) => l.length <= 48)).toBe(true);
      expect(copy.lines.some((l) => l.length > 40)).toBe(true);
    }
    expect(merchant!.lines.join('\n')).toContain('HAENDLERBELEG');
    expect(customer!.lines.join('\n')).toContain('KUNDENBELEG');
    expect(customer!.lines.join('\n')).toContain('Bitte Beleg aufbewahren');
  });

  it('a listener with its own locale gets that language (English: "EUR 12.34", APPROVED)', async () => {
    const ecr = await start('en-GB');
    await register(ecr, '26 04 0A 02 06 D3 12 01 40');
    const [, customer] = (await payAndCollectPrints(ecr)).map(blockText);
    const text = customer!.lines.join('\n');
    expect(text).toMatch(/TOTAL +EUR 12\.34/);
    expect(text).toContain('APPROVED');
    expect(text).toContain('CUSTOMER COPY');
  });

  it('a declined payment gets its 04 0F and 06 1E, and no receipt lines (the register prints its own decline)', async () => {
    const ecr = await start();
    await register(ecr, '26 04 0A 02 06 D3 12 01 40');
    await ecr.send('06 01 0C 04 00 00 00 00 10 51 49 09 78 06 00');
    await ecr.expect('80 00 00');
    const seen: Apdu[] = [];
    for (;;) {
      const m = await ecr.next();
      await ecr.ack();
      if (m.cls === 0x04 && m.instr === 0xff) continue;
      seen.push(m);
      if (m.cls === 0x06 && (m.instr === 0x1e || m.instr === 0x0f)) break;
    }
    expect(seen.map((m) => [m.cls, m.instr])).toEqual([
      [0x04, 0x0f],
      [0x06, 0x1e],
    ]);
  });

  it('otherwise as 06 D1 lines: both copies, the last line of each marked; a 32-column printer gets 32-column receipts', async () => {
    const ecr = await start();
    await register(ecr, '12 01 32');
    const prints = await payAndCollectPrints(ecr);
    expect(prints.every((p) => p.cls === 0x06 && p.instr === 0xd1)).toBe(true);
    const attrs = prints.map((p) => p.data[0]);
    const lasts = attrs.flatMap((a, i) => (a === 0x81 ? [i] : []));
    expect(lasts).toHaveLength(2); // end of the merchant copy, end of the customer copy
    expect(lasts[1]).toBe(prints.length - 1);
    expect(attrs.filter((a) => a !== 0x81).every((a) => a === 0x00)).toBe(true);
    const lines = prints.map((p) => p.data.subarray(1).toString('latin1'));
    expect(lines.every((l) => l.length <= 32 && !/[\r\n]/.test(l))).toBe(true);
    const merchant = lines.slice(0, lasts[0]! + 1).join('\n');
    const customer = lines.slice(lasts[0]! + 1).join('\n');
    expect(merchant).toMatch(/BETRAG +EUR 12,34/);
    expect(customer).toMatch(/BETRAG +EUR 12,34/);
    expect(customer).toContain('ZAHLUNG ERFOLGT');
  });

  it("06 50 answers the register's totals and closes the bridge's business day; the reconciliation follows", async () => {
    const ecr = await start();
    await register(ecr, '12 01 40');
    await payAndCollectPrints(ecr);
    while (h!.sim.openTransaction() !== undefined) await once(h!.sim, 'ledger');
    const closed = once(h!.service.bridge, 'endOfDay') as Promise<[EndOfDayReport]>;
    const reconciled = once(h!.service.bridge, 'reconciliation') as Promise<[ReconciliationReport]>;
    await ecr.send('06 50 03 00 00 00');
    await ecr.expect('80 00 00');
    const info = await ecr.next();
    expect([info.cls, info.instr]).toEqual([0x04, 0x0f]);
    await ecr.ack();
    await ecr.expect('06 0F 00');
    await ecr.ack();
    const [eod] = await closed;
    expect(eod.currencies).toEqual([expect.objectContaining({ currency: 'EUR', net: 1234 })]);
    const [report] = await reconciled;
    expect(report.summary).toMatchObject({
      matched: 1,
      missing_at_host: 0,
      amount_mismatch: 0,
      status_mismatch: 0,
      in_doubt: 0,
    });
    expect(report.clean).toBe(true);
  });
});
