/**
 * The headless status server over real loopback sockets: security headers, the token beyond loopback (a peer
 * beyond loopback is simulated through `remoteAddressOf`), same-origin rules, ProblemDetails errors, static files
 * and the WebSocket event stream.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import WebSocket from 'ws';
import { parseConfig } from '../../src/config/load';
import { silentLogger } from '../../src/log/logger';
import type { StatusEvent } from '../../src/status/contract';
import { StatusCore } from '../../src/status/core';
import { authorize, contentSecurityPolicy, isLoopbackAddress, sameOriginRequest } from '../../src/status/security';
import { startStatusServer, type StatusServer } from '../../src/status/server';
import { NOT_BUILT_PAGE } from '../../src/status/static-files';
import { startHarness, type Harness } from '../helpers/bridge-harness';

const TOKEN = 'tok-3f9a6c1e8b2d';
let h: Harness;
let core: StatusCore;
let server: StatusServer;
let bare: StatusServer;
let peer = '127.0.0.1';
let dir: string;
let base: string;

beforeAll(async () => {
  h = await startHarness();
  dir = mkdtempSync(join(tmpdir(), 'rb-status-'));
  mkdirSync(join(dir, 'built', 'assets'), { recursive: true });
  writeFileSync(join(dir, 'built', 'index.html'), '<!doctype html><title>built page</title>');
  writeFileSync(join(dir, 'built', 'assets', 'app-1.js'), 'console.log(1)');
  writeFileSync(join(dir, 'secret.txt'), 'outside the build');
  const config = parseConfig({
    listeners: [{ id: 'pos', protocol: 'native', transport: { type: 'tcp', host: '127.0.0.1', port: 0 } }],
    terminals: [
      { id: 'lane1', driver: 'ipp', transport: { type: 'tcp', host: '127.0.0.1', port: h.sim.port! }, currency: 'EUR' },
    ],
    status: { enabled: false },
  });
  core = new StatusCore({ config, log: silentLogger() });
  core.attach(h.service);
  server = await startStatusServer({
    core,
    host: '127.0.0.1',
    port: 0,
    token: TOKEN,
    staticDir: join(dir, 'built'),
    log: silentLogger(),
    remoteAddressOf: () => peer,
  });
  bare = await startStatusServer({
    core,
    host: '127.0.0.1',
    port: 0,
    staticDir: join(dir, 'missing'),
    log: silentLogger(),
    remoteAddressOf: () => peer,
  });
  base = server.url.replace(/\/$/, '');
});

afterAll(async () => {
  await server?.close();
  await bare?.close();
  core?.detach();
  await h?.close();
  rmSync(dir, { recursive: true, force: true });
});

async function get(path: string, init: RequestInit = {}, at = base): Promise<Response> {
  return fetch(at + path, init);
}

describe('security rules', () => {
  it('treats only loopback peers as local', () => {
    expect(isLoopbackAddress('127.0.0.1')).toBe(true);
    expect(isLoopbackAddress('127.8.9.10')).toBe(true);
    expect(isLoopbackAddress('::1')).toBe(true);
    expect(isLoopbackAddress('::ffff:127.0.0.1')).toBe(true);
    expect(isLoopbackAddress('192.168.1.20')).toBe(false);
    expect(isLoopbackAddress('::ffff:10.0.0.1')).toBe(false);
    expect(isLoopbackAddress('fe80::1')).toBe(false);
    expect(isLoopbackAddress(undefined)).toBe(false);
  });

  it('requires the token from beyond loopback (Bearer header or ?token=)', () => {
    expect(authorize({ remoteAddress: '127.0.0.1' }, TOKEN)).toEqual({ ok: true });
    expect(authorize({ remoteAddress: '192.168.1.20' }, undefined)).toMatchObject({ ok: false, status: 403 });
    expect(authorize({ remoteAddress: '192.168.1.20' }, TOKEN)).toMatchObject({ ok: false, status: 401 });
    expect(authorize({ remoteAddress: '192.168.1.20', authorization: 'Bearer nope' }, TOKEN)).toMatchObject({
      ok: false,
      status: 401,
    });
    expect(authorize({ remoteAddress: '192.168.1.20', authorization: `Bearer ${TOKEN}` }, TOKEN)).toEqual({ ok: true });
    expect(authorize({ remoteAddress: '192.168.1.20', queryToken: TOKEN }, TOKEN)).toEqual({ ok: true });
    expect(authorize({ remoteAddress: '192.168.1.20', authorization: `Basic ${TOKEN}` }, TOKEN)).toMatchObject({
      ok: false,
    });
  });

  it('refuses other sites and rebound host names', () => {
    expect(sameOriginRequest('127.0.0.1:7460', undefined, '127.0.0.1')).toEqual({ ok: true });
    expect(sameOriginRequest('127.0.0.1:7460', 'http://127.0.0.1:7460', '127.0.0.1')).toEqual({ ok: true });
    expect(sameOriginRequest('localhost:7460', 'http://localhost:7460', '127.0.0.1')).toEqual({ ok: true });
    expect(sameOriginRequest('127.0.0.1:7460', 'http://evil.example', '127.0.0.1')).toMatchObject({ ok: false });
    expect(sameOriginRequest('evil.example:7460', 'http://evil.example:7460', '127.0.0.1')).toMatchObject({
      ok: false,
    });
    expect(sameOriginRequest('till-7.shop.lan:7460', undefined, 'till-7.shop.lan')).toEqual({ ok: true });
    expect(sameOriginRequest('127.0.0.1:7460', 'null', '127.0.0.1')).toMatchObject({ ok: false });
  });

  it('writes a CSP without inline script or style, naming the WebSocket endpoint, and never repeats a hostile Host', () => {
    const csp = contentSecurityPolicy('127.0.0.1:7460');
    expect(csp).toContain("default-src 'self'");
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain("style-src 'self'");
    expect(csp).toContain("connect-src 'self' ws://127.0.0.1:7460");
    expect(csp).not.toContain('unsafe');
    expect(contentSecurityPolicy("x; script-src 'unsafe-inline'")).toContain("connect-src 'self';");
  });
});

describe('status server', () => {
  it('puts the security headers on pages, API answers and errors', async () => {
    for (const path of ['/', '/api/state', '/api/nope']) {
      const r = await get(path);
      const csp = r.headers.get('content-security-policy') ?? '';
      expect(csp, path).toContain("default-src 'self'");
      expect(csp, path).toContain("script-src 'self'");
      expect(csp, path).toContain(`ws://${new URL(base).host}`);
      expect(r.headers.get('x-content-type-options'), path).toBe('nosniff');
      expect(r.headers.get('x-frame-options'), path).toBe('DENY');
      expect(r.headers.get('referrer-policy'), path).toBe('no-referrer');
    }
  });

  it('answers loopback without a token and a peer beyond loopback only with it', async () => {
    expect((await get('/api/state')).status).toBe(200);
    peer = '192.168.1.20';
    try {
      const refused = await get('/api/state');
      expect(refused.status).toBe(401);
      expect(refused.headers.get('content-type')).toContain('application/problem+json');
      expect(refused.headers.get('www-authenticate')).toBe('Bearer');
      expect(await refused.json()).toMatchObject({ status: 401, title: 'Unauthorized', code: 'unauthorized' });
      expect((await get('/api/state', { headers: { Authorization: 'Bearer wrong' } })).status).toBe(401);
      const ok = await get('/api/state', { headers: { Authorization: `Bearer ${TOKEN}` } });
      expect(ok.status).toBe(200);
      expect(await ok.json()).toMatchObject({ paused: false, terminals: [{ id: 'lane1' }] });
      // Without a configured token nothing beyond loopback gets in.
      expect(
        (await get('/api/state', { headers: { Authorization: `Bearer ${TOKEN}` } }, bare.url.replace(/\/$/, '')))
          .status,
      ).toBe(403);
      // The page itself (public code, no data) loads so that it can ask for the token.
      expect((await get('/')).status).toBe(200);
    } finally {
      peer = '127.0.0.1';
    }
  });

  it('refuses API calls from other sites', async () => {
    const r = await get('/api/state', { headers: { Origin: 'http://evil.example' } });
    expect(r.status).toBe(403);
    expect(await r.json()).toMatchObject({ status: 403 });
  });

  it('reports every error as problem details', async () => {
    const notFound = await get('/api/nope');
    expect(notFound.status).toBe(404);
    expect(await notFound.json()).toEqual({
      type: 'about:blank',
      title: 'Not Found',
      status: 404,
      detail: 'No API at /api/nope',
      instance: '/api/nope',
    });

    const wrongVerb = await get('/api/state', { method: 'DELETE' });
    expect(wrongVerb.status).toBe(405);

    const notJson = await get('/api/settings/validate', {
      method: 'POST',
      headers: { 'Content-Type': 'text/plain' },
      body: '{}',
    });
    expect(notJson.status).toBe(415);
    expect(notJson.headers.get('content-type')).toContain('application/problem+json');

    const badJson = await get('/api/settings/validate', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: '{"listeners":',
    });
    expect(badJson.status).toBe(400);
    expect(await badJson.json()).toMatchObject({ status: 400, code: 'bad_json' });

    const unknown = await get('/api/journal/no-such-id');
    expect(unknown.status).toBe(404);
    expect(await unknown.json()).toMatchObject({ status: 404, code: 'unknown_ref' });

    const badQuery = await get('/api/journal?outcome=maybe&from=yesterday');
    expect(badQuery.status).toBe(400);
    const body = (await badQuery.json()) as { issues: Array<{ field: string }> };
    expect(body.issues.map((i) => i.field).sort()).toEqual(['from', 'outcome']);

    const badLimit = await get('/api/journal?limit=ten');
    expect(badLimit.status).toBe(400);

    const ping = await get('/api/wizard/ipp/ping', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ host: '127.0.0.1', port: 70000 }),
    });
    expect(ping.status).toBe(400);
    expect(await ping.json()).toMatchObject({ issues: [{ field: 'port' }] });

    const paused = await get('/api/pause', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: 'true',
    });
    expect(paused.status).toBe(409);
  });

  it('serves the built page, refuses paths outside it, and says how to build when it is missing', async () => {
    expect(await (await get('/')).text()).toContain('built page');
    expect(await (await get('/journal')).text()).toContain('built page');
    const asset = await get('/assets/app-1.js');
    expect(asset.headers.get('content-type')).toContain('text/javascript');
    expect((await get('/assets/missing.js')).status).toBe(404);
    expect((await get('/..%2fsecret.txt')).status).toBe(404);
    expect((await get('/%2e%2e/secret.txt')).status).toBe(404);
    const notBuilt = await get('/', {}, bare.url.replace(/\/$/, ''));
    expect(await notBuilt.text()).toBe(NOT_BUILT_PAGE);
    expect(notBuilt.headers.get('content-security-policy')).toContain("script-src 'self'");
  });

  it('streams bridge events over the WebSocket, with the token from beyond loopback', async () => {
    const wsUrl = base.replace(/^http/, 'ws') + '/api/events';
    const ws = new WebSocket(wsUrl);
    await new Promise<void>((resolve, reject) => {
      ws.once('open', () => resolve());
      ws.once('error', reject);
    });
    const got: StatusEvent[] = [];
    ws.on('message', (m) => got.push(JSON.parse(String(m)) as StatusEvent));
    const register = await h.client();
    const result = await register.request({ op: 'sale', id: 'w1', ref: 'WS-1', amount: 250, currency: 'EUR' });
    expect(result.outcome).toBe('approved');
    await expect
      .poll(() => got.some((e) => e.type === 'payment' && e.payment.ref === 'WS-1' && e.payment.outcome === 'approved'))
      .toBe(true);
    expect(got.some((e) => e.type === 'stage' && e.ref === 'WS-1')).toBe(true);
    expect(got.some((e) => e.type === 'terminal' && e.terminal.id === 'lane1')).toBe(true);
    ws.close();

    peer = '10.0.0.8';
    try {
      const refused = await new Promise<number>((resolve) => {
        const bad = new WebSocket(wsUrl);
        bad.once('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
        bad.once('open', () => resolve(101));
        bad.once('error', () => undefined);
      });
      expect(refused).toBe(401);
      const allowed = new WebSocket(`${wsUrl}?token=${TOKEN}`);
      await new Promise<void>((resolve, reject) => {
        allowed.once('open', () => resolve());
        allowed.once('error', reject);
      });
      allowed.close();
      const otherSite = await new Promise<number>((resolve) => {
        const bad = new WebSocket(`${wsUrl}?token=${TOKEN}`, { origin: 'http://evil.example' });
        bad.once('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
        bad.once('open', () => resolve(101));
        bad.once('error', () => undefined);
      });
      expect(otherSite).toBe(403);
    } finally {
      peer = '127.0.0.1';
    }
  });

  it('finds payments by ref, outcome, day and amount, and exports CSV', async () => {
    const register = await h.client();
    expect((await register.request({ op: 'sale', id: 'j1', ref: 'JR-1', amount: 1234, currency: 'EUR' })).outcome).toBe(
      'approved',
    );
    expect((await register.request({ op: 'sale', id: 'j2', ref: 'JR-2', amount: 1051, currency: 'EUR' })).outcome).toBe(
      'declined',
    );
    const search = async (qs: string): Promise<string[]> =>
      ((await (await get(`/api/journal?${qs}`)).json()) as Array<{ ref: string }>).map((p) => p.ref);
    expect(await search('ref=JR-')).toEqual(['JR-2', 'JR-1']);
    expect(await search('ref=JR-&outcome=declined')).toEqual(['JR-2']);
    expect(await search('amount=12.34')).toEqual(['JR-1']);
    expect(await search('amount=12,34')).toEqual(['JR-1']);
    expect(await search('amount=1234')).toEqual([]);
    const today = new Date().toISOString().slice(0, 10);
    expect(await search(`ref=JR-&from=${today}&to=${today}`)).toEqual(['JR-2', 'JR-1']);
    expect(await search('ref=JR-&to=2000-01-01')).toEqual([]);

    const [first] = (await (await get('/api/journal?ref=JR-1')).json()) as Array<{ id: string }>;
    const detail = (await (await get(`/api/journal/${first!.id}`)).json()) as {
      events: Array<{ type: string }>;
      result: { authCode?: string };
    };
    expect(detail.events.map((e) => e.type)).toEqual(expect.arrayContaining(['intent', 'sent', 'outcome']));
    expect(detail.result.authCode).toBeTruthy();

    const csv = await get('/api/journal.csv?ref=JR-');
    expect(csv.headers.get('content-type')).toContain('text/csv');
    expect(csv.headers.get('content-disposition')).toMatch(
      /^attachment; filename="register-bridge-journal-\d{4}-\d{2}-\d{2}\.csv"$/,
    );
    const text = await csv.text();
    expect(text.split('\r\n').filter(Boolean)).toHaveLength(3);
  });

  it("renders a payment's receipt at a printer width, as a duplicate for a reprint, and refuses other widths", async () => {
    const register = await h.client();
    expect((await register.request({ op: 'sale', id: 'r1', ref: 'RC-1', amount: 2500, currency: 'EUR' })).outcome).toBe(
      'approved',
    );
    const [row] = (await (await get('/api/journal?ref=RC-1')).json()) as Array<{ id: string }>;
    const detail = (await (await get(`/api/journal/${row!.id}`)).json()) as {
      receipt: { available: boolean; width: number; customer: string[]; merchant: string[] };
    };
    expect(detail.receipt).toMatchObject({ available: true, width: 40, duplicate: false });
    expect(detail.receipt.customer.join('\n')).toContain('25.00');
    expect(detail.receipt.merchant.length).toBeGreaterThan(5);

    const post = (body: unknown): Promise<Response> =>
      get('/api/receipt', {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify(body),
      });
    const narrow = (await (await post({ id: row!.id, width: 32, duplicate: true })).json()) as {
      width: number;
      duplicate: boolean;
      customer: string[];
    };
    expect(narrow).toMatchObject({ width: 32, duplicate: true });
    expect(Math.max(...narrow.customer.map((l) => l.length))).toBeLessThanOrEqual(32);
    expect(narrow.customer.join('\n')).toContain('DUPLICATE');

    const wide = await post({ id: row!.id, width: 41 });
    expect(wide.status).toBe(400);
    expect(((await wide.json()) as { issues: Array<{ field: string }> }).issues[0]!.field).toBe('width');
    expect((await post({ id: 'no-such-payment' })).status).toBe(404);
  });

  it('lists the registers connected to each listener, and tells the page when one comes or goes', async () => {
    const listeners = async (): Promise<Array<{ id: string; registers: string[] }>> =>
      ((await (await get('/api/state')).json()) as { listeners: Array<{ id: string; registers: string[] }> }).listeners;
    const before = (await listeners())[0]!.registers.length;
    const changes: string[] = [];
    const onEvent = (e: { type: string; reason?: string }): void =>
      void (e.type === 'state' && e.reason === 'registers' && changes.push('registers'));
    core.on('event', onEvent);
    try {
      const register = await h.client();
      await vi.waitFor(async () => expect((await listeners())[0]!.registers).toHaveLength(before + 1));
      expect((await listeners())[0]!.registers.at(-1)).toMatch(/^tcp 127\.0\.0\.1:\d+$/);
      register.close();
      await vi.waitFor(async () => expect((await listeners())[0]!.registers).toHaveLength(before));
      expect(changes).toEqual(['registers', 'registers']);
    } finally {
      core.off('event', onEvent);
    }
  });
});
