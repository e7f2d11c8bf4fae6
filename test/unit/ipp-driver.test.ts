/**
 * IppDriver requests byte for byte against mypos-ipp.md (§2, §3, §8, §9, §13), through an in-memory link that
 * records every frame the driver writes and answers from a script.
 */
import { describe, expect, it } from 'vitest';
import { IppDriver } from '../../src/terminal/ipp/driver';
import { encodeIpp, IppReader, IppMessage, decodeIppBody } from '../../src/terminal/ipp/codec';
import { decodeInto, IppInbox, type IppConnection, type IppLink } from '../../src/terminal/ipp/link';
import type { IppDriverOptions } from '../../src/terminal/ipp/options';
import { sanitiseReference } from '../../src/terminal/ipp/requests';
import { money } from '../../src/domain/money';
import { BridgeError } from '../../src/domain/errors';
import type { DriverContext, TerminalCommand } from '../../src/terminal/driver';
import { silentLogger } from '../../src/log/logger';

type Pairs = Array<[string, string]>;

function hex(s: string): Buffer {
  return Buffer.from(s.replace(/\s+/g, ''), 'hex');
}

/** Answer pairs echoing a request: PROTOCOL, METHOD, SID, STAGE, STATUS, extras. */
function answer(req: IppMessage, stage: number, status: number, extra: Pairs = []): Buffer {
  return encodeIpp([
    ['PROTOCOL', 'IPP'],
    ['METHOD', req.method ?? ''],
    ['SID', req.sid ?? ''],
    ['STAGE', String(stage)],
    ['STATUS', String(status)],
    ...extra,
  ]);
}

/** Approves every request: STAGE=1 STATUS=0, then STAGE=5 STATUS=0. */
const approveAll = (req: IppMessage): Buffer[] => [answer(req, 1, 0), answer(req, 5, 0)];

/** An IppLink in memory: records written frames, answers each from `script`. */
function memoryLink(script: (req: IppMessage) => Buffer[] = approveAll): IppLink & { frames: Buffer[] } {
  const frames: Buffer[] = [];
  return {
    description: 'memory',
    frames,
    async open(): Promise<IppConnection> {
      const inbox = new IppInbox();
      const reader = new IppReader();
      return {
        description: 'memory',
        async write(frame) {
          const buf = Buffer.from(frame);
          frames.push(buf);
          const req = decodeIppBody(buf.subarray(2));
          for (const out of script(req)) decodeInto(reader, out, (e) => inbox.push(e));
        },
        readable: () => inbox.readable(),
        take: () => inbox.take(),
        release: () => inbox.close(),
      };
    },
  };
}

function sids(...values: string[]): () => string {
  let i = 0;
  return () => values[i++] ?? `sid-${i}`;
}

function driver(link: IppLink, options: Partial<IppDriverOptions> = {}): IppDriver {
  return new IppDriver({
    link,
    currency: 'EUR',
    logger: silentLogger(),
    sid: sids('7f3c2a10-0001', '7f3c2a10-0002', '7f3c2a10-0003'),
    ...options,
  });
}

function ctx(): DriverContext & { sent: string[] } {
  const sent: string[] = [];
  return {
    sent,
    signal: new AbortController().signal,
    stage: () => undefined,
    beforeSend: async (sid) => {
      sent.push(sid);
    },
  };
}

function lines(frame: Buffer): string[] {
  return frame.subarray(2).toString('latin1').split('\r\n').filter(Boolean);
}

const sale: TerminalCommand = { kind: 'sale', amount: money(1234, 'EUR'), reference: 'INV-1001' };

describe('IPP driver requests (spec §13 worked example)', () => {
  it('sends the PURCHASE of EUR 12.34 for INV-1001 byte for byte (145 bytes, header 00 91)', async () => {
    const link = memoryLink();
    const c = ctx();
    await driver(link).execute(sale, c);
    expect(c.sent).toEqual(['7f3c2a10-0001']);
    const frame = link.frames[0]!;
    const expected = hex(`
      00 91
      50 52 4F 54 4F 43 4F 4C 3D 49 50 50 0D 0A
      56 45 52 53 49 4F 4E 3D 32 30 30 0D 0A
      4D 45 54 48 4F 44 3D 50 55 52 43 48 41 53 45 0D 0A
      53 49 44 3D 37 66 33 63 32 61 31 30 2D 30 30 30 31 0D 0A
      41 4D 4F 55 4E 54 3D 31 32 2E 33 34 0D 0A
      43 55 52 52 45 4E 43 59 3D 39 37 38 0D 0A
      52 45 46 45 52 45 4E 43 45 5F 4E 55 4D 42 45 52 5F 54 59 50 45 3D 32 0D 0A
      52 45 46 45 52 45 4E 43 45 5F 4E 55 4D 42 45 52 3D 49 4E 56 2D 31 30 30 31 0D 0A`);
    expect(frame.length).toBe(145);
    expect(frame).toEqual(expected);
  });

  it('sends COMPLETE_TX with a fresh SID and SID_ORIGINAL = the purchase SID (header 00 60)', async () => {
    const link = memoryLink();
    const d = driver(link);
    const r = await d.execute(sale, ctx());
    expect(r.needsSettlement).toBe(true);
    expect(r.driverRef).toBe('7f3c2a10-0001');
    const s = await d.settle(r.driverRef!, 'complete');
    expect(s.ok).toBe(true);
    const frame = link.frames[1]!;
    expect(frame.subarray(0, 2)).toEqual(hex('00 60'));
    expect(lines(frame)).toEqual([
      'PROTOCOL=IPP',
      'VERSION=200',
      'METHOD=COMPLETE_TX',
      'SID=7f3c2a10-0002',
      'SID_ORIGINAL=7f3c2a10-0001',
    ]);
  });

  it('sends CANCEL_TX the same way', async () => {
    const link = memoryLink();
    const d = driver(link, { sid: sids('s-2') });
    expect((await d.settle('s-1', 'cancel')).ok).toBe(true);
    expect(lines(link.frames[0]!)).toEqual([
      'PROTOCOL=IPP',
      'VERSION=200',
      'METHOD=CANCEL_TX',
      'SID=s-2',
      'SID_ORIGINAL=s-1',
    ]);
  });
});

describe('IPP driver requests per kind (spec §7, §8.4, §9)', () => {
  async function sent(command: TerminalCommand, options: Partial<IppDriverOptions> = {}): Promise<string[]> {
    const link = memoryLink();
    await driver(link, { sid: sids('S'), ...options }).execute(command, ctx());
    return lines(link.frames[0]!);
  }

  it('always starts with PROTOCOL, VERSION, METHOD, SID', async () => {
    const commands: TerminalCommand[] = [
      sale,
      { kind: 'preauth', amount: money(5000, 'EUR'), reference: 'R1' },
      { kind: 'refund', amount: money(100, 'EUR'), reference: 'R2' },
      { kind: 'reversal', reference: 'R3', original: { reference: 'R0' } },
      {
        kind: 'completion',
        amount: money(4000, 'EUR'),
        reference: 'R4',
        original: { reference: 'R1', preauthCode: '123456' },
      },
      { kind: 'preauth_cancel', reference: 'R5', original: { reference: 'R1', preauthCode: '123456' } },
    ];
    const methods = ['PURCHASE', 'PURCHASE', 'REFUND', 'REVERSAL', 'COMPLETE_PREAUTH', 'CANCEL_PREAUTH'];
    for (const [i, command] of commands.entries()) {
      const l = await sent(command);
      expect(l.slice(0, 4)).toEqual(['PROTOCOL=IPP', 'VERSION=200', `METHOD=${methods[i]}`, 'SID=S']);
    }
  });

  it('pre-authorisation is PURCHASE + PREAUTH_TX (flag configurable, default 1)', async () => {
    const command: TerminalCommand = { kind: 'preauth', amount: money(5000, 'EUR'), reference: 'HOTEL-7' };
    expect((await sent(command)).slice(4)).toEqual([
      'AMOUNT=50.00',
      'CURRENCY=978',
      'PREAUTH_TX=1',
      'REFERENCE_NUMBER_TYPE=2',
      'REFERENCE_NUMBER=HOTEL-7',
    ]);
    expect(await sent(command, { preauthFlag: 'Y' })).toContain('PREAUTH_TX=Y');
  });

  it('adds TIP_AMOUNT only when the tip is above zero', async () => {
    expect(await sent({ ...sale, tip: 150 })).toContain('TIP_AMOUNT=1.50');
    expect((await sent({ ...sale, tip: 0 })).some((l) => l.startsWith('TIP_AMOUNT'))).toBe(false);
  });

  it('REFUND and REVERSAL carry PASSWORD when configured', async () => {
    const refund = await sent({ kind: 'refund', amount: money(100, 'EUR'), reference: 'R2' }, { password: '4321' });
    expect(refund.slice(4)).toEqual([
      'AMOUNT=1.00',
      'CURRENCY=978',
      'REFERENCE_NUMBER_TYPE=2',
      'REFERENCE_NUMBER=R2',
      'PASSWORD=4321',
    ]);
    expect((await sent({ kind: 'reversal', reference: 'R3' }, { password: '4321' })).slice(4)).toEqual([
      'PASSWORD=4321',
    ]);
    expect((await sent({ kind: 'reversal', reference: 'R3' })).slice(4)).toEqual([]);
  });

  it('COMPLETE_PREAUTH and CANCEL_PREAUTH carry the pre-auth code', async () => {
    expect(
      (
        await sent({
          kind: 'completion',
          amount: money(4000, 'EUR'),
          reference: 'R4',
          original: { reference: 'R1', preauthCode: '123456' },
        })
      ).slice(4),
    ).toEqual(['PREAUTH_CODE=123456', 'COMPLETION_AMOUNT=40.00']);
    expect(
      (
        await sent({ kind: 'preauth_cancel', reference: 'R5', original: { reference: 'R1', preauthCode: '654321' } })
      ).slice(4),
    ).toEqual(['PREAUTH_CODE=654321']);
  });

  it('honours VERSION, REFERENCE_NUMBER_TYPE, LANG and amountDecimals options', async () => {
    const l = await sent(
      { kind: 'sale', amount: money(5, 'JPY'), reference: 'J' },
      {
        currency: 'JPY',
        version: '202',
        referenceNumberType: '1',
        lang: 'DE',
        amountDecimals: 0,
      },
    );
    expect(l).toEqual([
      'PROTOCOL=IPP',
      'VERSION=202',
      'METHOD=PURCHASE',
      'SID=S',
      'AMOUNT=5',
      'CURRENCY=392',
      'REFERENCE_NUMBER_TYPE=1',
      'REFERENCE_NUMBER=J',
      'LANG=DE',
    ]);
    expect(await sent({ kind: 'sale', amount: money(5, 'JPY'), reference: 'J' }, { currency: 'JPY' })).toContain(
      'AMOUNT=5.00',
    );
  });

  it('sanitises REFERENCE_NUMBER to at most 50 printable Latin characters', async () => {
    expect(sanitiseReference('Café-Nº1\r\nX')).toBe('Cafe-No1X');
    expect(sanitiseReference('a'.repeat(80))).toBe('a'.repeat(50));
    expect(await sent({ ...sale, reference: 'Zürich\tÄ' })).toContain('REFERENCE_NUMBER=ZurichA');
  });

  it('refuses bad commands with BridgeError before touching the terminal', async () => {
    const link = memoryLink();
    const d = driver(link);
    await expect(d.execute({ kind: 'sale', amount: money(100, 'USD'), reference: 'X' }, ctx())).rejects.toMatchObject({
      code: 'currency_mismatch',
    });
    await expect(d.execute({ kind: 'sale', reference: 'X' }, ctx())).rejects.toBeInstanceOf(BridgeError);
    await expect(d.execute({ kind: 'sale', amount: money(0, 'EUR'), reference: 'X' }, ctx())).rejects.toMatchObject({
      code: 'invalid_amount',
    });
    await expect(
      d.execute({ kind: 'completion', amount: money(100, 'EUR'), reference: 'X', original: { reference: 'P' } }, ctx()),
    ).rejects.toMatchObject({ code: 'bad_request' });
    expect(link.frames).toHaveLength(0);
  });

  it('refuses to reverse a payment that is not the last one it knows of (§8.4)', async () => {
    const link = memoryLink();
    const d = driver(link, { sid: sids('A', 'B', 'C') });
    await d.execute(sale, ctx());
    await expect(
      d.execute({ kind: 'reversal', reference: 'V', original: { reference: 'OLD', driverRef: 'older-sid' } }, ctx()),
    ).rejects.toMatchObject({ code: 'not_reversible' });
    const r = await d.execute(
      { kind: 'reversal', reference: 'V', original: { reference: 'INV-1001', driverRef: 'A' } },
      ctx(),
    );
    expect(r.outcome).toBe('approved');
    expect(r.needsSettlement).toBeUndefined();
  });

  it('rejects configuration without a terminal address', () => {
    expect(() => new IppDriver({ host: '127.0.0.1' })).toThrow(/port/);
    expect(() => new IppDriver({ port: 7900 })).toThrow(/host/);
    expect(() => new IppDriver({ host: 'x', port: 7900, currency: 'EURO' })).toThrow(BridgeError);
  });
});
