/**
 * The fake API Gateway itself, spoken to with plain fetch: it must hold the documented contract (spec §11) so
 * that the client tests mean something.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { ManualClock } from '../../src/terminal/epos/clock';
import { DEMO_EPOS, FakeEposGateway, type FakeEposGatewayOptions } from '../../src/terminal/simulator/epos-gateway';

let g: FakeEposGateway | undefined;
let clock: ManualClock;
afterEach(async () => {
  await g?.close();
  g = undefined;
});

async function start(options: FakeEposGatewayOptions = {}): Promise<string> {
  clock = new ManualClock();
  g = new FakeEposGateway({ clock, ...options });
  return g.start();
}

async function call(
  url: string,
  method: string,
  path: string,
  init: { headers?: Record<string, string>; body?: string } = {},
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- the gateway's JSON as parsed; each test reads what it checks
): Promise<{ status: number; body: any; text: string; headers: Headers }> {
  const res = await fetch(url + path, {
    method,
    headers: init.headers ?? {},
    ...(init.body !== undefined ? { body: init.body } : {}),
  });
  const text = await res.text();
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    body = undefined;
  }
  return { status: res.status, body, text, headers: res.headers };
}

const form = (o: Record<string, string>) => new URLSearchParams(o).toString();

async function token(url: string): Promise<string> {
  const r = await call(url, 'POST', '/api/v1/oauth/token', {
    headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
    body: form({
      client_id: DEMO_EPOS.partnerClientId,
      client_secret: DEMO_EPOS.partnerSecret,
      grant_type: 'client_credentials',
    }),
  });
  expect(r.status).toBe(200);
  return r.body.access_token;
}

async function session(url: string, t: string): Promise<string> {
  const r = await call(url, 'POST', '/api/v1/auth/session', {
    headers: { Authorization: `Bearer ${t}`, 'Content-Type': 'application/json' },
    body: JSON.stringify({ client_id: DEMO_EPOS.merchantClientId, client_secret: DEMO_EPOS.merchantSecret }),
  });
  expect(r.status).toBe(200);
  return r.body.session;
}

async function headers(url: string): Promise<Record<string, string>> {
  const t = await token(url);
  return {
    Authorization: `Bearer ${t}`,
    'X-Session': await session(url, t),
    'X-Partner-Id': DEMO_EPOS.partnerId,
    'X-Application-Id': DEMO_EPOS.applicationId,
    Accept: 'application/json',
  };
}

const paymentBody = (extra: Record<string, unknown> = {}) =>
  JSON.stringify({
    terminal_id: DEMO_EPOS.terminalId,
    amount: { value: 2500, currency_code: 'EUR' },
    app_name: 'x',
    app_version: '1',
    reference_number: 'G-1',
    ...extra,
  });

describe('fake gateway: authentication', () => {
  it('issues a bearer token for form-encoded partner credentials only', async () => {
    const url = await start();
    const ok = await call(url, 'POST', '/api/v1/oauth/token', {
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
      body: form({
        client_id: DEMO_EPOS.partnerClientId,
        client_secret: DEMO_EPOS.partnerSecret,
        grant_type: 'client_credentials',
      }),
    });
    expect(ok.body).toMatchObject({ token_type: 'Bearer', expires_in: 3600 });
    expect(ok.body.access_token.split('.')).toHaveLength(3);
    const json = await call(url, 'POST', '/api/v1/oauth/token', {
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ client_id: DEMO_EPOS.partnerClientId }),
    });
    expect(json.status).toBe(415);
    const wrong = await call(url, 'POST', '/api/v1/oauth/token', {
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
      body: form({ client_id: DEMO_EPOS.partnerClientId, client_secret: 'nope', grant_type: 'client_credentials' }),
    });
    expect(wrong.status).toBe(401);
    expect(wrong.body).toMatchObject({ status: 401, title: 'invalid_client' });
    const scope = await call(url, 'POST', '/api/v1/oauth/token', {
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
      body: form({
        client_id: DEMO_EPOS.partnerClientId,
        client_secret: DEMO_EPOS.partnerSecret,
        grant_type: 'client_credentials',
        scope: 'admin',
      }),
    });
    expect(scope.status).toBe(400);
  });

  it('answers wrong partner credentials with 400 when configured', async () => {
    const url = await start({ badPartnerStatus: 400 });
    const wrong = await call(url, 'POST', '/api/v1/oauth/token', {
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
      body: form({ client_id: 'client_x', client_secret: 'y', grant_type: 'client_credentials' }),
    });
    expect(wrong.status).toBe(400);
  });

  it('creates sessions for the bearer and merchant credentials; wrong merchant credentials → 400', async () => {
    const url = await start({ sessionTtlSeconds: 360 });
    const t = await token(url);
    const ok = await call(url, 'POST', '/api/v1/auth/session', {
      headers: { Authorization: `Bearer ${t}`, 'Content-Type': 'application/json' },
      body: JSON.stringify({ client_id: DEMO_EPOS.merchantClientId, client_secret: DEMO_EPOS.merchantSecret }),
    });
    expect(ok.body).toEqual({ session: expect.any(String), expires_in: 360 });
    const wrong = await call(url, 'POST', '/api/v1/auth/session', {
      headers: { Authorization: `Bearer ${t}`, 'Content-Type': 'application/json' },
      body: JSON.stringify({ client_id: DEMO_EPOS.merchantClientId, client_secret: 'x' }),
    });
    expect(wrong.status).toBe(400);
    const noBearer = await call(url, 'POST', '/api/v1/auth/session', {
      headers: { 'Content-Type': 'application/json' },
      body: '{}',
    });
    expect(noBearer.status).toBe(401);
  });

  it('requires the four headers and expires tokens and sessions on its clock', async () => {
    const url = await start();
    const h = await headers(url);
    expect((await call(url, 'GET', '/pos/v1/terminals', { headers: h })).status).toBe(200);
    for (const missing of ['Authorization', 'X-Session', 'X-Partner-Id', 'X-Application-Id']) {
      const { [missing]: _drop, ...rest } = h;
      const r = await call(url, 'GET', '/pos/v1/terminals', { headers: rest });
      expect(r.status, missing).toBe(401);
      expect(r.body.type).toMatch(/rfc/);
    }
    clock.advance(300_000);
    expect((await call(url, 'GET', '/pos/v1/terminals', { headers: h })).status).toBe(401);
    const t = h.Authorization!.slice(7);
    clock.advance(3_300_000);
    const fresh = await call(url, 'POST', '/api/v1/auth/session', {
      headers: { Authorization: `Bearer ${t}`, 'Content-Type': 'application/json' },
      body: JSON.stringify({ client_id: DEMO_EPOS.merchantClientId, client_secret: DEMO_EPOS.merchantSecret }),
    });
    expect(fresh.status).toBe(401);
  });

  it('answers missing partner headers with 400 when configured, and invalidates all sessions on demand', async () => {
    const url = await start({ missingPartnerHeaderStatus: 400 });
    const h = await headers(url);
    const { 'X-Application-Id': _a, ...rest } = h;
    expect((await call(url, 'GET', '/pos/v1/terminals', { headers: rest })).status).toBe(400);
    g!.invalidateSessions();
    expect((await call(url, 'GET', '/pos/v1/terminals', { headers: h })).status).toBe(401);
  });

  it('answers a POST without Content-Type with 415, and plain JSON with 415 when the versioned type is required', async () => {
    const url = await start();
    const h = await headers(url);
    expect((await call(url, 'POST', '/pos/v1/terminals/activation', { headers: h })).status).toBe(415);
    expect(
      (
        await call(url, 'POST', '/pos/v1/terminals/activation', {
          headers: { ...h, 'Content-Type': 'application/json' },
          body: '{}',
        })
      ).status,
    ).toBe(500);
    g!.options.requireVersionedMediaType = true;
    expect(
      (
        await call(url, 'POST', '/epos/v1/payments', {
          headers: { ...h, 'Content-Type': 'application/json' },
          body: paymentBody(),
        })
      ).status,
    ).toBe(415);
    expect(
      (
        await call(url, 'POST', '/epos/v1/payments', {
          headers: { ...h, 'Content-Type': 'application/json; x-api-version=1' },
          body: paymentBody(),
        })
      ).status,
    ).toBe(201);
  });
});

describe('fake gateway: payments', () => {
  it('creates, validates and refuses payments as documented (§11.5)', async () => {
    const url = await start({
      terminals: [
        { terminalId: DEMO_EPOS.terminalId, merchant: DEMO_EPOS.merchantClientId, currency: 'EUR' },
        { terminalId: '80000003', merchant: DEMO_EPOS.merchantClientId, currency: 'EUR', eposEnabled: false },
      ],
    });
    const h = { ...(await headers(url)), 'Content-Type': 'application/json' };
    const created = await call(url, 'POST', '/epos/v1/payments', { headers: h, body: paymentBody() });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({
      status: 'InProgress',
      amount: { value: 2500, currency_code: 'EUR' },
      reference_number: 'G-1',
    });
    expect(created.body.payment_id).toMatch(/^[0-9a-f]{24}$/);
    expect(created.body.created_at).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}$/);
    expect(Date.parse(created.body.expire_at + 'Z') - Date.parse(created.body.created_at + 'Z')).toBeGreaterThanOrEqual(
      28 * 24 * 3600 * 1000,
    );
    const invalid = await call(url, 'POST', '/epos/v1/payments', {
      headers: h,
      body: paymentBody({ amount: { value: 12.5, currency_code: 'eur' } }),
    });
    expect(invalid.status).toBe(400);
    expect(Object.keys(invalid.body.errors)).toEqual(['amount.value', 'amount.currency_code']);
    expect(
      (
        await call(url, 'POST', '/epos/v1/payments', {
          headers: h,
          body: paymentBody({ amount: { value: 100, currency_code: 'USD' } }),
        })
      ).status,
    ).toBe(400);
    expect(
      (await call(url, 'POST', '/epos/v1/payments', { headers: h, body: paymentBody({ terminal_id: '89999999' }) }))
        .status,
    ).toBe(404);
    const forbidden = await call(url, 'POST', '/epos/v1/payments', {
      headers: h,
      body: paymentBody({ terminal_id: '80000003' }),
    });
    expect(forbidden.status).toBe(403);
    expect(forbidden.body).toEqual({
      type: 'https://tools.ietf.org/html/rfc7231#section-6.5.3',
      title: 'Forbidden',
      status: 403,
    });
    // One InProgress payment per terminal.
    expect(
      (await call(url, 'POST', '/epos/v1/payments', { headers: h, body: paymentBody({ reference_number: 'G-2' }) }))
        .status,
    ).toBe(409);
  });

  it('moves payments through the statuses on its clock, honours hold/release and lists them flat (§6.3, §7)', async () => {
    const url = await start({ listItemId: 'request_id' });
    const h = { ...(await headers(url)), 'Content-Type': 'application/json' };
    g!.hold();
    const id = (await call(url, 'POST', '/epos/v1/payments', { headers: h, body: paymentBody() })).body.payment_id;
    clock.advance(60_000);
    expect((await call(url, 'GET', `/epos/v1/payments/${id}`, { headers: h })).body.status).toBe('InProgress');
    g!.release(id);
    const done = (await call(url, 'GET', `/epos/v1/payments/${id}`, { headers: h })).body;
    expect(done).toMatchObject({
      status: 'Success',
      response_code: '00',
      status_message: 'TRANSACTION_SUCCESS',
      auth_code: 'VISSIM',
      pan: '****6693',
      card_qualifier: 'VISA',
    });
    expect(done.transaction_date_local).toMatch(/^\d{12}$/);
    const list = await call(url, 'GET', `/epos/v1/payments?terminal_id=${DEMO_EPOS.terminalId}&page=1&size=20`, {
      headers: h,
    });
    expect(list.body).toEqual({
      items: [{ request_id: id, reference_number: 'G-1', status: 'Success' }],
      page: 1,
      page_size: 20,
      total_pages: 1,
      total_count: 1,
      has_previous_page: false,
      has_next_page: false,
    });
    expect(
      (await call(url, 'GET', `/epos/v1/payments?terminal_id=${DEMO_EPOS.terminalId}&size=101`, { headers: h })).status,
    ).toBe(400);
  });

  it('cancels unfinished payments with 202 and refuses final ones (§6.4, §11.7)', async () => {
    const url = await start({ cancelFinalStatus: 409 });
    const h = { ...(await headers(url)), 'Content-Type': 'application/json' };
    const id = (await call(url, 'POST', '/epos/v1/payments', { headers: h, body: paymentBody() })).body.payment_id;
    const { 'Content-Type': _c, ...noBody } = h;
    const del = await call(url, 'DELETE', `/epos/v1/payments/${id}`, { headers: noBody });
    expect(del.status).toBe(202);
    expect(del.body).toEqual({ id });
    expect((await call(url, 'GET', `/epos/v1/payments/${id}`, { headers: h })).body.status).toBe('Canceled');
    expect((await call(url, 'DELETE', `/epos/v1/payments/${id}`, { headers: noBody })).status).toBe(409);
  });

  it('reverses only Success payments and refunds on the terminal (§6.5, §6.6)', async () => {
    const url = await start();
    const h = { ...(await headers(url)), 'Content-Type': 'application/json' };
    const id = (await call(url, 'POST', '/epos/v1/payments', { headers: h, body: paymentBody() })).body.payment_id;
    const early = await call(url, 'POST', `/epos/v1/payments/${id}/reversal`, {
      headers: h,
      body: JSON.stringify({ terminal_id: DEMO_EPOS.terminalId }),
    });
    expect(early.status).toBe(400);
    clock.advance(2_000);
    const rev = await call(url, 'POST', `/epos/v1/payments/${id}/reversal`, {
      headers: h,
      body: JSON.stringify({ terminal_id: DEMO_EPOS.terminalId, app_name: 'x', app_version: '1', description: 'void' }),
    });
    expect(rev.status).toBe(200);
    expect(rev.body.status).toBe('InProgress');
    clock.advance(1_000);
    expect((await call(url, 'GET', `/epos/v1/payments/${id}`, { headers: h })).body.status).toBe('Reversed');
    const refund = await call(url, 'POST', '/epos/v1/payments/refund', {
      headers: h,
      body: JSON.stringify({
        terminal_id: DEMO_EPOS.terminalId,
        amount: { value: 500, currency_code: 'EUR' },
        app_name: 'x',
        app_version: '1',
      }),
    });
    expect(refund.status).toBe(200);
    expect(refund.body).toMatchObject({ status: 'InProgress', amount: { value: 500 } });
  });

  it('serves terminals and decimal-amount transactions with the pagination wrapper (§8)', async () => {
    const url = await start({ approveDelayMs: 0 });
    const h = { ...(await headers(url)), 'Content-Type': 'application/json' };
    await call(url, 'POST', '/epos/v1/payments', {
      headers: h,
      body: paymentBody({ amount: { value: 22, currency_code: 'EUR' } }),
    });
    const list = await call(url, 'GET', '/pos/v1/terminals', { headers: h });
    expect(list.body).toEqual({
      pagination: { page: 1, page_size: 20, total_pages: 1, total_count: 1 },
      terminals: [{ terminal_id: DEMO_EPOS.terminalId, serial_number: 'N960000001', model: 'N96' }],
    });
    const d = await call(url, 'GET', `/pos/v1/terminals/${DEMO_EPOS.terminalId}`, { headers: h });
    expect(d.body).toMatchObject({
      terminal_id: DEMO_EPOS.terminalId,
      device_currency: 'EUR',
      status: 'Active',
      forbidden_refund: false,
    });
    const tx = await call(url, 'GET', `/pos/v1/terminals/${DEMO_EPOS.terminalId}/transactions?reference_number=G-1`, {
      headers: h,
    });
    expect(tx.text).toContain('"amount":0.22');
    expect(tx.body.transactions).toHaveLength(1);
  });

  it('renders the offset and "not set" timestamp forms on request', async () => {
    const url = await start({ timestampForm: 'offset', unsetTimestamps: true });
    const h = { ...(await headers(url)), 'Content-Type': 'application/json' };
    const p = (await call(url, 'POST', '/epos/v1/payments', { headers: h, body: paymentBody() })).body;
    expect(p.created_at).toMatch(/\+03:00$/);
    expect(p.updated_at).toBe('0001-01-01T00:00:00');
  });
});

describe('fake gateway: faults, counters, log', () => {
  it('injects faults for the next N requests of a route, a bare-text 500 included', async () => {
    const url = await start({ bareText500: true });
    const h = await headers(url);
    g!.fault('terminals', { kind: 'status', status: 500 }, 2);
    g!.fault('terminals', { kind: 'rate_limit', retryAfter: '3' });
    const a = await call(url, 'GET', '/pos/v1/terminals', { headers: h });
    expect(a.status).toBe(500);
    expect(a.text).toBe('Object reference not set to an instance of an object.');
    expect((await call(url, 'GET', '/pos/v1/terminals', { headers: h })).status).toBe(500);
    const limited = await call(url, 'GET', '/pos/v1/terminals', { headers: h });
    expect(limited.status).toBe(429);
    expect(limited.headers.get('retry-after')).toBe('3');
    expect((await call(url, 'GET', '/pos/v1/terminals', { headers: h })).status).toBe(200);
    g!.fault('terminals', { kind: 'drop', phase: 'before' });
    await expect(call(url, 'GET', '/pos/v1/terminals', { headers: h })).rejects.toThrow();
  });

  it('holds a slow answer until released, after the request took effect', async () => {
    const url = await start();
    const h = { ...(await headers(url)), 'Content-Type': 'application/json' };
    g!.fault('create', { kind: 'slow' });
    const pending = call(url, 'POST', '/epos/v1/payments', { headers: h, body: paymentBody() });
    const [p] = (await once(g!, 'payment')) as [{ id: string }];
    expect(g!.payments().map((x) => x.id)).toEqual([p.id]);
    g!.releaseSlow();
    expect((await pending).status).toBe(201);
  });

  it('counts token and session requests and payments per reference, and redacts secrets in its log', async () => {
    const url = await start({ oneInProgressPerTerminal: false });
    const h: Record<string, string> = { ...(await headers(url)), 'Content-Type': 'application/json' };
    await call(url, 'POST', '/epos/v1/payments', { headers: h, body: paymentBody() });
    await call(url, 'POST', '/epos/v1/payments', { headers: h, body: paymentBody() });
    expect(g!.tokenRequestTimes).toHaveLength(1);
    expect(g!.sessionRequestTimes(DEMO_EPOS.merchantClientId)).toHaveLength(1);
    expect(g!.duplicateReferences()).toEqual(['G-1']);
    const logged = JSON.stringify(g!.requests);
    expect(logged).not.toContain(DEMO_EPOS.partnerSecret);
    expect(logged).not.toContain(DEMO_EPOS.merchantSecret);
    expect(logged).not.toContain(h.Authorization!.slice(7));
    expect(logged).not.toContain(h['X-Session']!);
    g!.options.duplicateReference = 'refuse';
    expect((await call(url, 'POST', '/epos/v1/payments', { headers: h, body: paymentBody() })).status).toBe(409);
  });
});

it('runs standalone and prints one ready line', async () => {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', 'src/terminal/simulator/epos-gateway-main.ts', '--port', '0'],
    { cwd: process.cwd(), stdio: ['ignore', 'pipe', 'pipe'] },
  );
  try {
    let out = '';
    child.stdout.setEncoding('utf8');
    const line = await new Promise<string>((resolve, reject) => {
      child.stdout.on('data', (d: string) => {
        out += d;
        if (out.includes('\n')) resolve(out.split('\n')[0]!);
      });
      child.once('exit', (code) => reject(new Error(`exited with ${code}`)));
    });
    const m = /ready at (http:\/\/127\.0\.0\.1:\d+)/.exec(line);
    expect(m).not.toBeNull();
    const r = await fetch(`${m![1]}/api/v1/oauth/token`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
      body: form({
        client_id: DEMO_EPOS.partnerClientId,
        client_secret: DEMO_EPOS.partnerSecret,
        grant_type: 'client_credentials',
      }),
    });
    expect(r.status).toBe(200);
  } finally {
    child.kill('SIGTERM');
    if (child.exitCode === null) await once(child, 'exit');
  }
});
