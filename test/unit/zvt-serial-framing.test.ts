import { describe, expect, it } from 'vitest';
import { toHex } from '../../src/register/zvt/bcd';
import { ZvtTransmissionError } from '../../src/register/zvt/errors';
import { ACK, FrameReceiver, NAK, SerialLink, frameApdu, zvtCrc } from '../../src/register/zvt/serial-framing';
import { ManualTimers, flush, hex, norm } from './zvt-helpers';

// zvt.md §9 (h): the APDUs of the dialogues, framed (CRC low byte first).
const TABLE: Array<[string, string]> = [
  ['06 00 04 00 00 00 BA', '10 02 06 00 04 00 00 00 BA 10 03 98 F8'],
  ['80 00 00', '10 02 80 00 00 10 03 F5 1F'],
  ['06 0F 07 19 00 29 12 34 56 78', '10 02 06 0F 07 19 00 29 12 34 56 78 10 03 52 23'],
  ['06 01 07 04 00 00 00 00 10 00', '10 02 06 01 07 04 00 00 00 00 10 10 00 10 03 62 91'],
  ['04 FF 01 0A', '10 02 04 FF 01 0A 10 03 F5 7D'],
  ['06 0F 00', '10 02 06 0F 00 10 03 C6 33'],
  ['06 1E 01 6C', '10 02 06 1E 01 6C 10 03 C9 F2'],
  ['84 83 00', '10 02 84 83 00 10 03 91 8E'],
  ['05 01 03 00 00 00', '10 02 05 01 03 00 00 00 10 03 DF DB'],
  ['06 30 06 00 00 00 87 00 17', '10 02 06 30 06 00 00 00 87 00 17 10 03 83 6D'],
  ['06 50 03 00 00 00', '10 02 06 50 03 00 00 00 10 03 FB 37'],
  // §1.2 test vector (ecrterm): the Status-Enquiry completion with SW version "2.14.15".
  ['06 0F 0B F0 F0 F7 32 2E 31 34 2E 31 35 00', '10 02 06 0F 0B F0 F0 F7 32 2E 31 34 2E 31 35 00 10 03 B1 11'],
];

function receiverFor(timers = new ManualTimers()) {
  const frames: string[] = [];
  const rejected: string[] = [];
  const replies: number[] = [];
  let acks = 0;
  let naks = 0;
  const rx = new FrameReceiver(
    { frame: (b) => frames.push(toHex(b)), rejected: (r) => rejected.push(r), ack: () => acks++, nak: () => naks++ },
    (byte) => replies.push(byte),
    timers,
    200,
  );
  return { rx, frames, rejected, replies, timers, counts: () => ({ acks, naks }) };
}

describe('serial framing (zvt.md §1.2, §9 (h))', () => {
  it.each(TABLE)('frames %s as in the spec', (apdu, framed) => {
    expect(toHex(frameApdu(hex(apdu)))).toBe(norm(framed));
  });

  it('the CRC covers the unstuffed APDU and ETX: B1 11 for the 06 0F vector', () => {
    const crc = zvtCrc(hex('06 0F 0B F0 F0 F7 32 2E 31 34 2E 31 35 00'));
    expect([crc & 0xff, crc >> 8]).toEqual([0xb1, 0x11]);
  });

  it.each(TABLE)('receives %s: ACK first, then the APDU', (apdu, framed) => {
    const { rx, frames, replies } = receiverFor();
    rx.push(hex(framed));
    expect(replies).toEqual([ACK]);
    expect(frames).toEqual([norm(apdu)]);
  });

  it('reassembles a frame split at every byte, DLE doubling included', () => {
    const { rx, frames, replies } = receiverFor();
    for (const b of hex('10 02 06 01 07 04 00 00 00 00 10 10 00 10 03 62 91')) rx.push(Buffer.from([b]));
    expect(frames).toEqual([norm('06 01 07 04 00 00 00 00 10 00')]);
    expect(replies).toEqual([ACK]);
  });

  it('NAKs a bad CRC and delivers nothing', () => {
    const { rx, frames, replies, rejected } = receiverFor();
    rx.push(hex('10 02 80 00 00 10 03 F5 1E'));
    expect(replies).toEqual([NAK]);
    expect(frames).toEqual([]);
    expect(rejected[0]).toMatch(/CRC/);
  });

  it('XMODEM bytes are not accepted: the checksum must be KERMIT', () => {
    const { rx, replies } = receiverFor();
    // CRC-16/XMODEM of 80 00 00 03 would be different from F5 1F.
    rx.push(hex('10 02 80 00 00 10 03 1F F5'));
    expect(replies).toEqual([NAK]);
  });

  it('IDLE: a lone 06/15 is ACK/NAK, noise is discarded', () => {
    const { rx, frames, replies, counts } = receiverFor();
    rx.push(hex('06 15 FF 00 03 06'));
    expect(counts()).toEqual({ acks: 2, naks: 1 });
    expect(replies).toEqual([]);
    rx.push(hex('10 02 06 0F 00 10 03 C6 33'));
    expect(frames).toEqual(['06 0F 00']);
  });

  it('BODY: DLE followed by anything but 10/03 breaks the frame (NAK), the next frame is read', () => {
    const { rx, frames, replies } = receiverFor();
    rx.push(hex('10 02 06 0F 10 05 00'));
    expect(replies).toEqual([NAK]);
    rx.push(hex('10 02 06 0F 00 10 03 C6 33'));
    expect(replies).toEqual([NAK, ACK]);
    expect(frames).toEqual(['06 0F 00']);
  });

  it('T1: a gap over 200 ms inside a frame is NAKed; the restart is received', () => {
    const { rx, frames, replies, timers } = receiverFor();
    rx.push(hex('10 02 06 0F'));
    timers.advance(199);
    rx.push(hex('00'));
    timers.advance(199);
    expect(replies).toEqual([]);
    timers.advance(1);
    expect(replies).toEqual([NAK]);
    rx.push(hex('10 02 06 0F 00 10 03 C6 33'));
    expect(frames).toEqual(['06 0F 00']);
    expect(timers.pending).toBe(0);
  });

  it('a good frame cancels T1', () => {
    const { rx, timers } = receiverFor();
    rx.push(hex('10 02 06 0F 00 10 03 C6 33'));
    expect(timers.pending).toBe(0);
  });
});

describe('serial sender: ACK, NAK, T2 and 2 repeats (zvt.md §1.2)', () => {
  function linkFor() {
    const timers = new ManualTimers();
    const written: string[] = [];
    const link = new SerialLink(
      (b) => written.push(toHex(b)),
      { apdu: () => undefined, malformed: () => undefined, rejected: () => undefined },
      {
        timers,
        t2Ms: 5000,
      },
    );
    return { link, written, timers };
  }

  it('resolves on ACK', async () => {
    const { link, written } = linkFor();
    const sent = link.send(hex('80 00 00'));
    await flush();
    expect(written).toEqual([norm('10 02 80 00 00 10 03 F5 1F')]);
    link.push(hex('06'));
    await expect(sent).resolves.toBeUndefined();
  });

  it('repeats after NAK and after T2, then reports a transmission error', async () => {
    const { link, written, timers } = linkFor();
    const sent = link.send(hex('06 0F 00'));
    const outcome = sent.then(
      () => 'ok',
      (e: unknown) => e,
    );
    await flush();
    expect(written).toHaveLength(1);
    link.push(hex('15'));
    await flush();
    expect(written).toHaveLength(2);
    timers.advance(4999);
    await flush();
    expect(written).toHaveLength(2);
    timers.advance(1);
    await flush();
    expect(written).toHaveLength(3);
    timers.advance(5000);
    await flush();
    expect(written).toHaveLength(3);
    const e = await outcome;
    expect(e).toBeInstanceOf(ZvtTransmissionError);
    expect(new Set(written)).toEqual(new Set([norm('10 02 06 0F 00 10 03 C6 33')]));
  });

  it('sends frames one at a time, in order', async () => {
    const { link, written } = linkFor();
    const a = link.send(hex('04 FF 01 0A'));
    const b = link.send(hex('06 0F 00'));
    await flush();
    expect(written).toEqual([norm('10 02 04 FF 01 0A 10 03 F5 7D')]);
    link.push(hex('06'));
    await a;
    await flush();
    expect(written).toHaveLength(2);
    link.push(hex('06'));
    await b;
  });

  it('ACKs incoming frames before handing them on, and NAKs a frame that is no APDU', async () => {
    const timers = new ManualTimers();
    const written: string[] = [];
    const got: string[] = [];
    const malformed: string[] = [];
    const link = new SerialLink(
      (b) => written.push(toHex(b)),
      {
        apdu: (a) => {
          got.push(`${a.cls.toString(16)} ${a.instr.toString(16)}`);
          expect(written).toEqual(['06']);
        },
        malformed: (r) => malformed.push(r),
        rejected: () => undefined,
      },
      { timers },
    );
    link.push(hex('10 02 80 00 00 10 03 F5 1F'));
    expect(got).toEqual(['80 0']);
    // good CRC, but the length byte says 5 while 1 byte follows: transport OK (ACK), application error
    link.push(frameApdu(hex('06 01 05 04')));
    expect(written).toEqual(['06', '06']);
    expect(malformed).toHaveLength(1);
  });
});
