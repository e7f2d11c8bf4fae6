/**
 * The status API's arguments are checked at its boundary (src/status/arguments.ts): a bad argument is a 400
 * ProblemDetails naming each bad field over real HTTP, the same problem over the desktop shell's IPC, and the core
 * is never reached with it.
 */
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { answerInvoke } from '../../electron/ipc-main';
import { parseConfig } from '../../src/config/load';
import { silentLogger } from '../../src/log/logger';
import { HTTP_ROUTES, type ProblemDetails, type StatusMethod } from '../../src/status/contract';
import { StatusCore } from '../../src/status/core';
import { startStatusServer, type StatusServer } from '../../src/status/server';
import { startHarness, type Harness } from '../helpers/bridge-harness';

vi.mock('electron', () => ({}));

let h: Harness;
let core: StatusCore;
let server: StatusServer;
let base: string;

beforeAll(async () => {
  h = await startHarness();
  const config = parseConfig({
    listeners: [{ id: 'pos', protocol: 'native', transport: { type: 'tcp', host: '127.0.0.1', port: 0 } }],
    terminals: [
      { id: 'lane1', driver: 'ipp', transport: { type: 'tcp', host: '127.0.0.1', port: h.sim.port! }, currency: 'EUR' },
    ],
    status: { enabled: false },
  });
  core = new StatusCore({ config, log: silentLogger() });
  core.attach(h.service);
  server = await startStatusServer({ core, host: '127.0.0.1', port: 0, staticDir: h.dataDir, log: silentLogger() });
  base = server.url.replace(/\/$/, '');
});

afterAll(async () => {
  await server?.close();
  core?.detach();
  await h?.close();
});

/** Calls `method` over HTTP the way its route says, with `arg` in the query string or as the JSON body. */
async function overHttp(method: StatusMethod, arg: unknown): Promise<Response> {
  const route = HTTP_ROUTES[method];
  if (route.arg === 'query') {
    const qs = new URLSearchParams(Object.entries(arg as Record<string, string>)).toString();
    return fetch(`${base}${route.path}?${qs}`, { method: route.verb });
  }
  return fetch(`${base}${route.path}`, {
    method: route.verb,
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify(arg),
  });
}

const BAD: Array<{ method: StatusMethod; arg: unknown; fields: string[] }> = [
  { method: 'holdDecide', arg: { id: 'h-1', action: 'approve' }, fields: ['action'] },
  { method: 'holdDecide', arg: { action: 'confirm' }, fields: ['id'] },
  { method: 'captureDecide', arg: { id: 7, action: 'discard' }, fields: ['id'] },
  { method: 'journalReceipt', arg: { id: 'p-1', width: 41, duplicate: 'yes' }, fields: ['width', 'duplicate'] },
  { method: 'journalSearch', arg: { outcome: 'maybe', from: '2026-02-30' }, fields: ['from', 'outcome'] },
  { method: 'journalCsv', arg: { to: 'tomorrow' }, fields: ['to'] },
  { method: 'dayReports', arg: { day: '07.12.2026' }, fields: ['day'] },
  { method: 'reconcile', arg: { day: 20261207 }, fields: ['day'] },
  { method: 'logs', arg: { level: 'loud' }, fields: ['level'] },
  { method: 'settingsSave', arg: { startAtLogin: 'on' }, fields: ['config', 'startAtLogin'] },
  { method: 'ippPing', arg: { host: '127.0.0.1', port: '7900' }, fields: ['port'] },
  { method: 'testPayment', arg: { terminal: 'lane1', amountMinor: 1.5 }, fields: ['amountMinor'] },
  {
    method: 'goLiveCheck',
    arg: { terminal: 'lane1', credentials: { partnerId: 'p', partnerSecret: 'plain' } },
    fields: [
      'credentials.applicationId',
      'credentials.partnerClientId',
      'credentials.partnerSecret',
      'credentials.merchantClientId',
      'credentials.merchantSecret',
    ],
  },
];

describe('status API arguments', () => {
  it.each(BAD)('$method refuses a bad argument with a 400 naming $fields, over HTTP and IPC alike', async (c) => {
    const spy = vi.spyOn(core, c.method);
    const res = await overHttp(c.method, c.arg);
    expect(res.status).toBe(400);
    expect(res.headers.get('content-type')).toContain('application/problem+json');
    const http = (await res.json()) as ProblemDetails;
    expect(http).toMatchObject({ status: 400, title: 'Bad Request', code: 'bad_request' });
    expect(http.issues!.map((i) => i.field).sort()).toEqual([...c.fields].sort());
    for (const f of c.fields) expect(http.detail).toContain(f);

    const ipc = await answerInvoke(core, 'app://bridge/index.html', { method: c.method, arg: c.arg });
    expect(ipc.ok).toBe(false);
    const { instance, ...sameProblem } = (ipc as { problem: ProblemDetails }).problem;
    expect(instance).toBe(c.method);
    expect(sameProblem).toEqual(withoutInstance(http));
    expect(spy).not.toHaveBeenCalled();
    spy.mockRestore();
  });

  it('a body that is not an object is refused as a whole, without a field', async () => {
    const res = await overHttp('holdDecide', 'confirm');
    expect(res.status).toBe(400);
    const p = (await res.json()) as ProblemDetails;
    expect(p).toMatchObject({ code: 'bad_request', issues: [] });
    expect(p.detail).toContain('must be an object');
    const pause = await overHttp('setPaused', 'yes');
    expect(((await pause.json()) as ProblemDetails).detail).toContain('must be true or false');
  });

  it('a good argument reaches the core, read as its type (empty form fields are not given)', async () => {
    const held = await overHttp('holdDecide', { id: 'no-such-hold', action: 'refuse' });
    expect(held.status).toBe(404);
    expect(await held.json()).toMatchObject({ code: 'unknown_ref' });
    const spy = vi.spyOn(core, 'dayReports');
    expect((await overHttp('dayReports', { day: '' })).status).toBe(200);
    expect(spy).toHaveBeenCalledWith({});
    spy.mockRestore();
    const ipc = await answerInvoke(core, 'app://bridge/index.html', { method: 'logs' });
    expect(ipc).toMatchObject({ ok: true, value: { available: false } });
  });
});

function withoutInstance(p: ProblemDetails): Omit<ProblemDetails, 'instance'> {
  const { instance: _instance, ...rest } = p;
  return rest;
}
