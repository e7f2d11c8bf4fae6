/**
 * How the operator decides on a total held as a possible duplicate: the status page lists it (state, with an event
 * when it appears or goes) and confirms or discards it over the status API — real printer capture over TCP, the
 * bridge, the simulated IPP terminal, the status server over HTTP and its WebSocket.
 */
import { once } from 'node:events';
import { connect, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import type { CaptureRecord, CaptureRegistry } from '../../src/register/capture/capture-registry';
import type { Service } from '../../src/service';
import type { CaptureHoldView, StateView, StatusEvent } from '../../src/status/contract';
import type { IppSimulator } from '../../src/terminal/simulator/ipp-simulator';
import { loadFixture } from '../fixtures/capture/load';
import { statusStacks } from '../helpers/status-stack';

/** The capture registry of the running service. */
const captures = (): CaptureRegistry => service!.registers.captures;

const stack = statusStacks();
let sim: IppSimulator | undefined;
let service: Service | undefined;
const sockets: Socket[] = [];
afterEach(() => {
  for (const s of sockets.splice(0)) s.destroy();
  sim = undefined;
  service = undefined;
});

const LISTENER = 'till-printer';

async function start(): Promise<{ port: number; base: string; events: StatusEvent[] }> {
  const started = await stack((simPort, dir) => ({
    dataDir: dir,
    listeners: [
      {
        id: LISTENER,
        protocol: 'printer',
        transport: { type: 'tcp', host: '127.0.0.1', port: 0 },
        options: { duplicateWindowMs: 600_000 },
      },
    ],
    terminals: [
      { id: 'lane1', driver: 'ipp', transport: { type: 'tcp', host: '127.0.0.1', port: simPort }, currency: 'EUR' },
    ],
  }));
  ({ sim, service } = started);
  return { port: started.service.listeners[0]!.port!, base: started.base, events: started.events };
}

async function print(port: number, bytes: Buffer): Promise<void> {
  const s = connect({ port, host: '127.0.0.1', allowHalfOpen: true });
  sockets.push(s);
  await once(s, 'connect');
  s.end(bytes);
}

function captured(pred: (c: CaptureRecord) => boolean): Promise<CaptureRecord> {
  const seen = captures()
    .recentCaptures(100)
    .find((c) => c.listener === LISTENER && pred(c));
  if (seen) return Promise.resolve(seen);
  return new Promise((resolve) => {
    const on = (c: CaptureRecord): void => {
      if (c.listener !== LISTENER || !pred(c)) return;
      captures().off('capture', on);
      resolve(c);
    };
    captures().on('capture', on);
  });
}

async function settled(): Promise<void> {
  while (sim!.openTransaction() !== undefined) await once(sim!, 'ledger');
}

async function holds(base: string): Promise<CaptureHoldView[]> {
  const state = (await (await fetch(`${base}/api/state`)).json()) as StateView;
  return (state.captureHolds ?? []).filter((h) => h.listener === LISTENER);
}

async function decide(base: string, body: unknown): Promise<Response> {
  return fetch(`${base}/api/capture/decide`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', origin: base },
    body: JSON.stringify(body),
  });
}

async function until(pred: () => Promise<boolean>): Promise<void> {
  // Generous: a slow machine only makes it wait longer; a passing run returns at the first true.
  for (const end = Date.now() + 20_000; Date.now() < end && !(await pred());)
    await new Promise((r) => setTimeout(r, 25));
  expect(await pred()).toBe(true);
}

describe('held capture totals on the status page', () => {
  it('listed with an event; confirm charges it once; discard charges nothing; a second decision is refused', async () => {
    const { port, base, events } = await start();
    const receipt = loadFixture('receipt-total-comma.esc').bytes;
    await print(port, receipt);
    const first = await captured((c) => c.outcome === 'approved');
    await settled();
    expect(await holds(base)).toEqual([]);

    // The same receipt printed again: held, listed, announced.
    await print(port, receipt);
    await until(async () => (await holds(base)).length === 1);
    const [held] = await holds(base);
    expect(held).toMatchObject({
      mode: 'printer',
      amount: { minor: 1234, currency: 'EUR' },
      previousRef: first.ref,
      times: 1,
    });
    await until(async () => events.some((e) => e.type === 'state' && e.reason === 'capture'));
    expect(service!.journal.list({ register: LISTENER })).toHaveLength(1);

    // Bad decisions are ProblemDetails, and change nothing.
    const bad = await decide(base, { id: held!.id, action: 'charge' });
    expect(bad.status).toBe(400);
    expect(await bad.json()).toMatchObject({ code: 'bad_request', issues: [{ field: 'action' }] });
    expect(await holds(base)).toHaveLength(1);

    const ok = await decide(base, { id: held!.id, action: 'confirm' });
    expect(ok.status).toBe(200);
    const answer = (await ok.json()) as { action: string; ref: string };
    expect(answer).toMatchObject({ action: 'confirmed', ref: expect.stringMatching(/^PRN-\d{8}-0002$/) });
    expect(await captured((c) => c.ref === answer.ref && c.outcome !== null)).toMatchObject({
      outcome: 'approved',
      confirmed: true,
    });
    await settled();
    expect(sim!.netCharges(answer.ref)).toBe(1);
    expect(await holds(base)).toEqual([]);
    const twice = await decide(base, { id: held!.id, action: 'confirm' });
    expect(twice.status).toBe(404);
    expect(await twice.json()).toMatchObject({ code: 'unknown_ref' });

    // A third print of the same total: held again, discarded this time; nothing more is charged.
    await print(port, receipt);
    await until(async () => (await holds(base)).length === 1);
    const [third] = await holds(base);
    const dropped = await decide(base, { id: third!.id, action: 'discard' });
    expect(await dropped.json()).toEqual({ action: 'discarded' });
    expect(await holds(base)).toEqual([]);
    expect((await decide(base, { id: third!.id, action: 'discard' })).status).toBe(404);
    expect(service!.journal.list({ register: LISTENER })).toHaveLength(2);
  });
});
