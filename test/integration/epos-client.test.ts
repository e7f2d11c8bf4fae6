/**
 * Contract of the gateway client against the fake gateway over real loopback HTTP (spec §4, §5).
 */
import { afterEach, describe, expect, it } from 'vitest';
import { createLogger } from '../../src/log/logger';
import { EposError } from '../../src/terminal/epos/errors';
import { VERSIONED_JSON } from '../../src/terminal/epos/gateway-client';
import { DEMO_EPOS, startHarness, type Harness } from './epos-harness';

let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

const createBody = (ref: string, value = 2500) => ({
  terminal_id: DEMO_EPOS.terminalId,
  amount: { value, currency_code: 'EUR' },
  app_name: 'Register Bridge',
  app_version: '0.1.0',
  reference_number: ref,
});

async function rejection(p: Promise<unknown>): Promise<EposError> {
  try {
    await p;
  } catch (e) {
    expect(e).toBeInstanceOf(EposError);
    return e as EposError;
  }
  throw new Error('expected the call to fail');
}

describe('authentication (§4.1, §4.2)', () => {
  it('asks for the token form-encoded without Basic auth, and the session as JSON with the bearer', async () => {
    h = await startHarness();
    await h.client().getTerminal(DEMO_EPOS.terminalId);
    const [token, session, call] = h.gateway.requests;
    expect(token!.path).toBe('/api/v1/oauth/token');
    expect(token!.headers['content-type']).toBe('application/x-www-form-urlencoded');
    expect(token!.headers.accept).toBe('application/json');
    expect(token!.headers.authorization).toBeUndefined();
    expect(Object.fromEntries(new URLSearchParams(token!.body))).toEqual({
      client_id: DEMO_EPOS.partnerClientId,
      client_secret: '[redacted]',
      grant_type: 'client_credentials',
    });
    expect(session!.path).toBe('/api/v1/auth/session');
    expect(session!.headers['content-type']).toBe('application/json');
    expect(session!.headers.authorization).toBe('Bearer [redacted]');
    expect(JSON.parse(session!.body)).toEqual({ client_id: DEMO_EPOS.merchantClientId, client_secret: '[redacted]' });
    expect(call!.path).toBe(`/pos/v1/terminals/${DEMO_EPOS.terminalId}`);
  });

  it('sends the four headers and Accept on every call, Content-Type and a body on every POST, none on GET/DELETE (§4.3)', async () => {
    h = await startHarness();
    const c = h.client();
    const p = await c.createPayment(createBody('C-1'));
    await c.getPayment(p.paymentId);
    await c.cancelPayment(p.paymentId);
    const api = h.gateway.requests.filter((r) => r.route !== 'token' && r.route !== 'session');
    expect(api.map((r) => `${r.method} ${r.status}`)).toEqual(['POST 201', 'GET 200', 'DELETE 202']);
    for (const r of api) {
      expect(r.headers.authorization).toBe('Bearer [redacted]');
      expect(r.headers['x-session']).toBe('[redacted]');
      expect(r.headers['x-partner-id']).toBe(DEMO_EPOS.partnerId);
      expect(r.headers['x-application-id']).toBe(DEMO_EPOS.applicationId);
      expect(r.headers.accept).toBe('application/json');
      expect(r.headers['api-key']).toBeUndefined();
      expect(r.headers['x-request-id']).toBeUndefined();
    }
    expect(api[0]!.headers['content-type']).toBe('application/json');
    expect(JSON.parse(api[0]!.body)).toMatchObject({
      reference_number: 'C-1',
      amount: { value: 2500, currency_code: 'EUR' },
    });
    expect(api[1]!.headers['content-type']).toBeUndefined();
    expect(api[2]!.headers['content-type']).toBeUndefined();
    expect(api[2]!.body).toBe('');
  });

  it('falls back to application/json; x-api-version=1 after a 415 and keeps it (§4.3)', async () => {
    h = await startHarness({ requireVersionedMediaType: true });
    const c = h.client();
    const p = await c.createPayment(createBody('C-415'));
    expect(c.currentMediaType).toBe(VERSIONED_JSON);
    await c.getPayment(p.paymentId);
    const statuses = h.gateway.requests.map((r) => `${r.route} ${r.status} ${r.headers['content-type'] ?? '-'}`);
    expect(statuses).toEqual([
      'token 200 application/x-www-form-urlencoded',
      'session 415 application/json',
      `session 200 ${VERSIONED_JSON}`,
      `create 201 ${VERSIONED_JSON}`,
      'get 200 -',
    ]);
    expect(h.gateway.paymentsWithReference('C-415')).toHaveLength(1);
  });

  it('caches the token per integration and the session per merchant, with one refresh in flight', async () => {
    h = await startHarness({
      merchants: [
        { clientId: 'cli_a', clientSecret: 'sec_a' },
        { clientId: 'cli_b', clientSecret: 'sec_b' },
      ],
      terminals: [
        { terminalId: '80000001', merchant: 'cli_a', currency: 'EUR' },
        { terminalId: '80000002', merchant: 'cli_b', currency: 'EUR' },
      ],
    });
    const a = h.client({ merchantClientId: 'cli_a', merchantSecret: 'sec_a' });
    const a2 = h.client({ merchantClientId: 'cli_a', merchantSecret: 'sec_a' });
    const b = h.client({ merchantClientId: 'cli_b', merchantSecret: 'sec_b' });
    await Promise.all([
      a.getTerminal('80000001'),
      a2.getTerminal('80000001'),
      b.getTerminal('80000002'),
      a.listTerminals(),
      b.listTerminals(),
    ]);
    expect(h.gateway.tokenRequestTimes).toHaveLength(1);
    expect(h.gateway.sessionRequestTimes('cli_a')).toHaveLength(1);
    expect(h.gateway.sessionRequestTimes('cli_b')).toHaveLength(1);
  });

  it('renews the token 60 s and the session 30 s before expiry, using the returned expires_in', async () => {
    h = await startHarness({ sessionTtlSeconds: 360 });
    const c = h.client();
    await c.listTerminals();
    h.clock.advance(329_000);
    await c.listTerminals();
    expect(h.gateway.sessionRequestTimes()).toHaveLength(1);
    h.clock.advance(1_000); // 330 s: inside the 30 s margin of a 360 s session
    await c.listTerminals();
    expect(h.gateway.sessionRequestTimes()).toHaveLength(2);
    expect(h.gateway.tokenRequestTimes).toHaveLength(1);
    h.clock.advance(3_540_000 - 330_000 - 1);
    await c.listTerminals();
    expect(h.gateway.tokenRequestTimes).toHaveLength(1);
    h.clock.advance(1);
    await c.listTerminals();
    expect(h.gateway.tokenRequestTimes).toHaveLength(2);
  });
});

describe('401 and 403 (§4.4, §10)', () => {
  it('on a 401 renews token and session and retries once', async () => {
    h = await startHarness();
    const c = h.client();
    await c.listTerminals();
    h.gateway.invalidateSessions();
    await c.listTerminals();
    expect(h.gateway.requests.map((r) => `${r.route} ${r.status}`)).toEqual([
      'token 200',
      'session 200',
      'terminals 200',
      'terminals 401',
      'token 200',
      'session 200',
      'terminals 200',
    ]);
  });

  it('a second 401 is fatal for the call', async () => {
    h = await startHarness();
    const c = h.client();
    h.gateway.fault('terminals', { kind: 'unauthorized' }, 2);
    const e = await rejection(c.listTerminals());
    expect(e.code).toBe('unauthorized');
    expect(h.gateway.requests.filter((r) => r.route === 'terminals')).toHaveLength(2);
  });

  it('a 401 on create is retried once (the request was not processed) and creates one payment', async () => {
    h = await startHarness();
    const c = h.client();
    h.gateway.fault('create', { kind: 'unauthorized' });
    await c.createPayment(createBody('C-401'));
    expect(h.gateway.paymentsWithReference('C-401')).toHaveLength(1);
  });

  it('on a 403 renews the session once, then explains the known causes', async () => {
    h = await startHarness({
      terminals: [
        {
          terminalId: DEMO_EPOS.terminalId,
          merchant: DEMO_EPOS.merchantClientId,
          currency: 'EUR',
          status: 'Active',
          eposEnabled: false,
        },
      ],
    });
    const c = h.client();
    const e = await rejection(c.createPayment(createBody('C-403')));
    expect(e.code).toBe('forbidden');
    expect(e.status).toBe(403);
    expect(e.title).toBe('Forbidden');
    expect(e.message).toMatch(/terminal 80123457 is not enabled for ePOS/);
    expect(e.message).toMatch(/POSLink Manager.*Pair Type "EPOS"/);
    expect(e.message).toMatch(/Cash Register/);
    expect(e.message).toMatch(/retrying does not help/);
    expect(h.gateway.requests.map((r) => `${r.route} ${r.status}`)).toEqual([
      'token 200',
      'session 200',
      'create 403',
      'session 200',
      'create 403',
    ]);
  });

  it('names the partner credentials when the token is refused, and the merchant credentials on a 400 session', async () => {
    h = await startHarness();
    const bad = await rejection(h.client({ partnerSecret: 'secret_wrong' }).listTerminals());
    expect(bad.message).toMatch(/refused the partner credentials.*Demo credentials only work against the demo gateway/);
    expect(bad.message).not.toContain('secret_wrong');
    const badMerchant = await rejection(h.client({ merchantSecret: 'sec_wrong' }).listTerminals());
    expect(badMerchant.code).toBe('bad_request');
    expect(badMerchant.message).toMatch(/refused the merchant credentials.*REST API credentials do not work here/);
  });
});

describe('errors, timeouts and retries (§5)', () => {
  it('turns a validation ProblemDetails into an EposError with field errors', async () => {
    h = await startHarness();
    const e = await rejection(h.client().createPayment(createBody('C-0', 0)));
    expect(e.status).toBe(400);
    expect(e.title).toBe('One or more validation errors occurred.');
    expect(e.fieldErrors).toEqual({ 'amount.value': ['The value must be a positive integer in minor units.'] });
    expect(e.message).toContain('amount.value: The value must be a positive integer in minor units.');
  });

  it('reads a bare-text 500', async () => {
    h = await startHarness({ bareText500: true });
    h.gateway.fault('terminals', { kind: 'status', status: 500 });
    const e = await rejection(h.client({ retries: 0 }).listTerminals());
    expect(e.code).toBe('server');
    expect(e.detail).toBe('Object reference not set to an instance of an object.');
  });

  it('retries idempotent calls on 5xx with back-off', async () => {
    h = await startHarness();
    const c = h.client();
    await c.listTerminals();
    const t0 = h.clock.now();
    h.gateway.fault('terminals', { kind: 'status', status: 503 }, 2);
    await c.listTerminals();
    expect(h.gateway.requests.filter((r) => r.route === 'terminals').map((r) => r.status)).toEqual([
      200, 503, 503, 200,
    ]);
    expect(h.clock.now() - t0).toBe(500 + 1000);
  });

  it('never retries a payment creation', async () => {
    h = await startHarness();
    const c = h.client();
    h.gateway.fault('create', { kind: 'status', status: 503 });
    const e = await rejection(c.createPayment(createBody('C-503')));
    expect(e.code).toBe('server');
    expect(e.mayHaveBeenProcessed).toBe(true);
    expect(h.gateway.requests.filter((r) => r.route === 'create')).toHaveLength(1);
    h.gateway.fault('create', { kind: 'drop' });
    const dropped = await rejection(c.createPayment(createBody('C-drop')));
    expect(dropped.code).toBe('network');
    expect(h.gateway.requests.filter((r) => r.route === 'create')).toHaveLength(2);
    expect(h.gateway.paymentsWithReference('C-drop')).toHaveLength(1);
  });

  it('honours Retry-After in seconds and as an HTTP date on 429', async () => {
    h = await startHarness();
    const c = h.client();
    const p = await c.createPayment(createBody('C-429'));
    let t0 = h.clock.now();
    h.gateway.fault('get', { kind: 'rate_limit', retryAfter: '7' });
    await c.getPayment(p.paymentId);
    expect(h.clock.now() - t0).toBe(7000);
    t0 = h.clock.now();
    h.gateway.fault('get', { kind: 'rate_limit', retryAfter: new Date(t0 + 12_000).toUTCString() });
    await c.getPayment(p.paymentId);
    expect(h.clock.now() - t0).toBe(12_000);
  });

  it('gives a 429 on create back to the caller with its Retry-After', async () => {
    h = await startHarness();
    h.gateway.fault('create', { kind: 'rate_limit', retryAfter: '5' });
    const e = await rejection(h.client().createPayment(createBody('C-429c')));
    expect(e.code).toBe('rate_limited');
    expect(e.retryAfterMs).toBe(5000);
    expect(h.gateway.paymentsWithReference('C-429c')).toHaveLength(0);
  });

  it('times out a request that gets no answer and retries an idempotent one', async () => {
    h = await startHarness();
    const c = h.client({ timeoutMs: 400 });
    await c.listTerminals();
    h.gateway.fault('terminals', { kind: 'slow' });
    await c.listTerminals();
    expect(h.gateway.requests.filter((r) => r.route === 'terminals')).toHaveLength(3);
    h.gateway.fault('create', { kind: 'slow' });
    const e = await rejection(c.createPayment(createBody('C-slow')));
    expect(e.code).toBe('timeout');
    expect(h.gateway.paymentsWithReference('C-slow')).toHaveLength(1);
  });

  it('never writes secrets, tokens or session ids to the log', async () => {
    h = await startHarness();
    const lines: string[] = [];
    const log = createLogger({ level: 'trace', destination: { write: (s: string) => void lines.push(s) } });
    const c = h.client({ log });
    await c.listTerminals();
    h.gateway.invalidateSessions();
    await c.listTerminals();
    await rejection(h.client({ log, partnerSecret: 'secret_wrong_one' }).listTerminals());
    const text = lines.join('');
    expect(lines.length).toBeGreaterThan(0);
    for (const s of [DEMO_EPOS.partnerSecret, DEMO_EPOS.merchantSecret, 'secret_wrong_one'])
      expect(text).not.toContain(s);
    // Tokens are JWTs ("eyJ…"), sessions 32 hex characters at the fake gateway.
    expect(text).not.toMatch(/eyJ[A-Za-z0-9_-]{10,}/);
    expect(text).not.toMatch(/[0-9a-f]{32}/);
  });
});
