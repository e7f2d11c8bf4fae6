/**
 * "Download support bundle" on the status page's Logs view, in real Chromium against the whole product on loopback:
 * the download is one zip whose files hold no secret (the config has them in plain text), no card number and no
 * track data (planted in the log file), after real payments.
 */
import { appendFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config/load';
import { createLogger, logOutputs } from '../../src/log/logger';
import { startService } from '../../src/service';
import { StatusCore } from '../../src/status/core';
import { startStatusServer } from '../../src/status/server';
import { IppSimulator } from '../../src/terminal/simulator/ipp-simulator';
import { NativeClient } from '../helpers/native-client';
import { forbiddenIn, unzipAll } from '../helpers/zip-scan';
import { buildRenderer } from './build-renderer';
import { openStatusPage, openView, shoot } from './page';

const stops: Array<() => Promise<unknown> | void> = [];
afterAll(async () => {
  for (const s of stops.splice(0).reverse()) await s();
});

const SECRETS = { status: 'StatusTokenPlain-c41e0b9d7a2f48e3b5d6', ipp: '551973' };
const CARD = '5413330089020011';

describe('support bundle from the status page', () => {
  it('downloads one zip with every part and nothing secret in it', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'rb-e2e-bundle-'));
    stops.push(() => rmSync(dataDir, { recursive: true, force: true }));
    const sim = new IppSimulator({ fast: true });
    const simPort = await sim.listen({ host: '127.0.0.1', port: 0 });
    stops.push(() => sim.close());
    const raw = {
      dataDir,
      listeners: [{ id: 'pos', protocol: 'native', transport: { type: 'tcp', host: '127.0.0.1', port: 0 } }],
      terminals: [
        {
          id: 'lane1',
          driver: 'ipp',
          transport: { type: 'tcp', host: '127.0.0.1', port: simPort },
          currency: 'EUR',
          password: SECRETS.ipp,
        },
      ],
      status: { enabled: false, token: SECRETS.status },
    };
    const configFile = join(dataDir, 'config.json');
    writeFileSync(configFile, JSON.stringify(raw, null, 2));
    const logFile = join(dataDir, 'logs', 'register-bridge.log');
    const out = logOutputs({ file: logFile, stdout: false });
    stops.push(() => void out.end?.());
    const log = createLogger({ level: 'info', destination: out });
    const config = parseConfig(raw);
    const [staticDir, service] = await Promise.all([
      buildRenderer(),
      startService(config, { log, status: false, bridge: { healthIntervalMs: 0 } }),
    ]);
    stops.push(() => service.close());
    const c = await NativeClient.open(service.listeners[0]!.port!);
    stops.push(() => c.close());
    for (const [i, amount] of [1234, 2500].entries())
      expect((await c.request({ op: 'sale', id: String(i), ref: `UI-${i}`, amount, currency: 'EUR' })).outcome).toBe(
        'approved',
      );
    appendFileSync(
      logFile,
      `${JSON.stringify({ level: 30, time: Date.now(), msg: `pan ${CARD} ;${CARD}=2512101000000` })}\n`,
    );

    const core = new StatusCore({ config, configFile, log, logFile });
    core.attach(service);
    stops.push(() => core.detach());
    const server = await startStatusServer({ core, host: '127.0.0.1', port: 0, staticDir, log });
    stops.push(() => server.close());
    const ui = await openStatusPage(server.url);
    stops.push(() => ui.close());

    await openView(ui.page, 'Logs');
    const button = ui.page.getByRole('button', { name: /support bundle/i });
    const [download] = await Promise.all([ui.page.waitForEvent('download', { timeout: 60_000 }), button.click()]);
    expect(download.suggestedFilename()).toMatch(/^register-bridge-support-\d{8}T\d{6}Z\.zip$/);
    await ui.page
      .getByRole('status')
      .filter({ hasText: /downloaded/i })
      .waitFor({ timeout: 60_000 });
    await shoot(ui.page, 'logs-support-bundle');

    const files = await unzipAll(readFileSync((await download.path())!));
    expect([...files.keys()]).toEqual([
      'README.txt',
      'version.json',
      'config.json',
      'doctor.txt',
      'doctor.json',
      'logs/register-bridge.log',
      'journal-stats.json',
      'security-events.jsonl',
      'devices.json',
      'state.json',
    ]);
    expect(forbiddenIn(files, Object.values(SECRETS))).toEqual([]);
    const state = JSON.parse(files.get('state.json')!) as {
      terminals: Array<{ id: string }>;
      listeners: Array<{ id: string; connections: number }>;
    };
    expect(state.terminals[0]!.id).toBe('lane1');
    expect(state.listeners[0]).toMatchObject({ id: 'pos', connections: 1 });
    expect(files.get('logs/register-bridge.log')).toMatch(/"time":"20\d\d-/);
    expect(ui.problems).toEqual([]);
  }, 120_000);
});
