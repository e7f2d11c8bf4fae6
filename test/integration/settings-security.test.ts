/**
 * The settings API cannot move the myPOS secrets: over real HTTP, a PUT with an http (or non-myPOS) gateway URL,
 * a changed gateway address without the secrets typed again, or a change of the developer section is refused with
 * a ProblemDetails naming the field, and the file stays as it was. The developer flag, written in the file by a
 * person, lets a local fake gateway be used.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config/load';
import { silentLogger } from '../../src/log/logger';
import type { SecurityEvent } from '../../src/security/events';
import { SECRET_MASK } from '../../src/status/contract';
import { StatusCore } from '../../src/status/core';
import { startStatusServer, type StatusServer } from '../../src/status/server';

const EPOS = {
  id: 'cloud',
  driver: 'epos',
  environment: 'demo',
  terminalId: '80123457',
  partnerId: 'mps-p-1',
  applicationId: 'mps-app-1',
  partnerClientId: 'client_1',
  partnerSecret: 'partner-secret-plain',
  merchantClientId: 'cli_1',
  merchantSecret: { env: 'MERCHANT_SECRET' },
};

const stops: Array<() => unknown> = [];
afterEach(async () => {
  for (const s of stops.splice(0).reverse()) await s();
});

async function serve(
  raw: Record<string, unknown>,
): Promise<{ server: StatusServer; file: string; events: SecurityEvent[] }> {
  const dir = mkdtempSync(join(tmpdir(), 'rb-settings-sec-'));
  stops.push(() => rmSync(dir, { recursive: true, force: true }));
  const file = join(dir, 'config.json');
  writeFileSync(file, JSON.stringify(raw, null, 2));
  const events: SecurityEvent[] = [];
  const core = new StatusCore({
    config: parseConfig(raw),
    configFile: file,
    log: silentLogger(),
    security: { record: (e) => void events.push({ ...e, at: new Date().toISOString() }) },
  });
  const server = await startStatusServer({ core, host: '127.0.0.1', port: 0, log: silentLogger() });
  stops.push(() => server.close());
  return { server, file, events };
}

function base(extra: Record<string, unknown> = {}, terminal: Record<string, unknown> = {}) {
  return {
    listeners: [
      { id: 'pos', protocol: 'native', transport: { type: 'tcp', host: '127.0.0.1', port: 7450 }, terminal: 'cloud' },
    ],
    terminals: [{ ...EPOS, ...terminal }],
    status: { enabled: true, host: '127.0.0.1', port: 7460 },
    ...extra,
  };
}

async function api(
  server: StatusServer,
  method: string,
  path: string,
  body?: unknown,
): Promise<{ status: number; type: string; json: Record<string, unknown> }> {
  const url = new URL(path, server.url);
  const r = await fetch(url, {
    method,
    headers: { 'content-type': 'application/json', origin: url.origin },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  return {
    status: r.status,
    type: r.headers.get('content-type') ?? '',
    json: (await r.json()) as Record<string, unknown>,
  };
}

/** The page's view of the settings, with one change to its ePOS terminal. */
async function edited(server: StatusServer, change: Record<string, unknown>): Promise<Record<string, unknown>> {
  const view = await api(server, 'GET', '/api/settings');
  const config = view.json.config as { terminals: Array<Record<string, unknown>> };
  config.terminals[0] = { ...config.terminals[0], ...change };
  return config as unknown as Record<string, unknown>;
}

describe('settings API and where the secrets go', () => {
  it('refuses an http gateway URL with a ProblemDetails naming the field, and writes nothing', async () => {
    const { server, file, events } = await serve(base());
    const before = readFileSync(file, 'utf8');
    const config = await edited(server, { gatewayUrl: 'http://127.0.0.1:9999' });
    expect(config.terminals).toMatchObject([{ partnerSecret: SECRET_MASK }]);
    const r = await api(server, 'PUT', '/api/settings', { config });
    expect(r.status).toBe(403);
    expect(r.type).toContain('application/problem+json');
    expect(r.json.issues).toEqual(
      expect.arrayContaining([expect.objectContaining({ field: 'terminals[0].gatewayUrl' })]),
    );
    expect(readFileSync(file, 'utf8')).toBe(before);
    expect(events.map((e) => e.kind)).toEqual(['settings']);
    // The page's check before saving says the same.
    const v = await api(server, 'POST', '/api/settings/validate', config);
    expect(JSON.stringify(v.json)).toContain('terminals[0].gatewayUrl');
  });

  it('a myPOS https address is accepted only with both secrets typed again', async () => {
    const { server, file } = await serve(base());
    const moved = await edited(server, { gatewayUrl: 'https://proxy.mypos.com' });
    const r = await api(server, 'PUT', '/api/settings', { config: moved });
    expect(r.status).toBe(403);
    expect((r.json.issues as Array<{ field: string }>).map((i) => i.field)).toEqual([
      'terminals[0].partnerSecret',
      'terminals[0].merchantSecret',
    ]);
    const retyped = await edited(server, {
      gatewayUrl: 'https://proxy.mypos.com',
      partnerSecret: 'partner-again',
      merchantSecret: 'merchant-again',
    });
    expect(await api(server, 'PUT', '/api/settings', { config: retyped })).toMatchObject({
      status: 200,
      json: { saved: true },
    });
    expect(JSON.parse(readFileSync(file, 'utf8')).terminals[0]).toMatchObject({
      gatewayUrl: 'https://proxy.mypos.com',
      partnerSecret: 'partner-again',
    });
    // Switching demo → live moves the secrets too.
    const live = await edited(server, { environment: 'live' });
    delete (live.terminals as Array<Record<string, unknown>>)[0]!.gatewayUrl;
    expect((await api(server, 'PUT', '/api/settings', { config: live })).status).toBe(403);
  });

  it('the developer flag is honoured from the file and cannot be set through the API', async () => {
    const { server } = await serve(base());
    const config = await edited(server, {
      gatewayUrl: 'http://127.0.0.1:9999',
      partnerSecret: 'p',
      merchantSecret: 'm',
    });
    const r = await api(server, 'PUT', '/api/settings', { config: { ...config, developer: { anyGatewayUrl: true } } });
    expect(r.status).toBe(403);
    expect((r.json.issues as Array<{ field: string }>).map((i) => i.field)).toContain('developer');

    // An address a person wrote in the file stays as it is when other settings change.
    const kept = await serve(base({}, { gatewayUrl: 'http://127.0.0.1:9999' }));
    const same = (await api(kept.server, 'GET', '/api/settings')).json.config as Record<string, unknown>;
    expect(
      await api(kept.server, 'PUT', '/api/settings', { config: { ...same, log: { level: 'debug' } } }),
    ).toMatchObject({ status: 200, json: { saved: true } });

    const dev = await serve(base({ developer: { anyGatewayUrl: true } }));
    const local = await edited(dev.server, {
      gatewayUrl: 'http://127.0.0.1:9999',
      partnerSecret: 'p',
      merchantSecret: 'm',
    });
    expect(await api(dev.server, 'PUT', '/api/settings', { config: local })).toMatchObject({
      status: 200,
      json: { saved: true },
    });
  });
});

describe('register keys on the settings page', () => {
  it('a per-register key written in the file never reaches the page, and a masked one is kept on save', async () => {
    const key = 'k'.repeat(10) + '0123456789abcdefghijKLMNOP';
    const { server, file } = await serve({
      ...base(),
      listeners: [
        {
          id: 'pos',
          protocol: 'native',
          transport: { type: 'tcp', host: '127.0.0.1', port: 7450 },
          terminal: 'cloud',
          registers: [{ name: 'till-1', key }],
        },
      ],
    });
    const view = await api(server, 'GET', '/api/settings');
    expect(JSON.stringify(view.json)).not.toContain(key);
    expect(
      (view.json.config as { listeners: Array<{ registers: Array<{ key: unknown }> }> }).listeners[0]!.registers[0]!
        .key,
    ).toBe(SECRET_MASK);
    expect(await api(server, 'PUT', '/api/settings', { config: view.json.config })).toMatchObject({
      status: 200,
      json: { saved: true },
    });
    expect(JSON.parse(readFileSync(file, 'utf8')).listeners[0].registers[0].key).toBe(key);
  });
});
