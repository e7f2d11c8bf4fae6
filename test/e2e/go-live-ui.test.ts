/**
 * "Go live" in real Chromium against the whole product on loopback with the fake gateway standing in for myPOS:
 * the Demo → Live switch says that nothing carries over, runs the go-live check with the Live credentials, refuses
 * while a step fails (a wrong TID), switches when every step passes — the config says Live, the journal records the
 * switch — and "Copy support info" shows what myPOS Support asks for, without a secret.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config/load';
import { silentLogger } from '../../src/log/logger';
import { startService } from '../../src/service';
import { StatusCore } from '../../src/status/core';
import { startStatusServer } from '../../src/status/server';
import { DEMO_EPOS, FakeEposGateway } from '../../src/terminal/simulator/epos-gateway';
import { buildRenderer } from './build-renderer';
import { openStatusPage, openView, shoot } from './page';

const stops: Array<() => Promise<unknown> | void> = [];
afterAll(async () => {
  for (const s of stops.splice(0).reverse()) await s();
});

describe('Go live view', () => {
  it('switches a Demo terminal to Live only after the check passes, and records the switch', async () => {
    process.env.RB_E2E_PARTNER_SECRET = DEMO_EPOS.partnerSecret;
    process.env.RB_E2E_MERCHANT_SECRET = DEMO_EPOS.merchantSecret;
    stops.push(() => {
      delete process.env.RB_E2E_PARTNER_SECRET;
      delete process.env.RB_E2E_MERCHANT_SECRET;
    });
    const gateway = new FakeEposGateway({});
    const url = await gateway.start();
    stops.push(() => gateway.close());
    const dataDir = mkdtempSync(join(tmpdir(), 'rb-e2e-golive-'));
    stops.push(() => rmSync(dataDir, { recursive: true, force: true }));
    const raw = {
      dataDir,
      listeners: [{ id: 'pos', protocol: 'native', transport: { type: 'tcp', host: '127.0.0.1', port: 0 } }],
      terminals: [
        {
          id: 'cloud',
          driver: 'epos',
          environment: 'demo',
          gatewayUrl: url,
          terminalId: DEMO_EPOS.terminalId,
          currency: 'EUR',
          partnerId: DEMO_EPOS.partnerId,
          applicationId: DEMO_EPOS.applicationId,
          partnerClientId: DEMO_EPOS.partnerClientId,
          partnerSecret: { env: 'RB_E2E_PARTNER_SECRET' },
          merchantClientId: DEMO_EPOS.merchantClientId,
          merchantSecret: { env: 'RB_E2E_MERCHANT_SECRET' },
        },
      ],
      status: { enabled: false },
    };
    const configFile = join(dataDir, 'config.json');
    writeFileSync(configFile, JSON.stringify(raw, null, 2));
    const config = parseConfig(raw);
    const log = silentLogger();
    const [staticDir, service] = await Promise.all([
      buildRenderer(),
      startService(config, { log, status: false, bridge: { healthIntervalMs: 0 } }),
    ]);
    stops.push(() => service.close());
    const core = new StatusCore({ config, configFile, log });
    core.attach(service);
    stops.push(() => core.detach());
    const server = await startStatusServer({ core, host: '127.0.0.1', port: 0, staticDir, log });
    stops.push(() => server.close());
    const ui = await openStatusPage(server.url);
    stops.push(() => ui.close());
    const page = ui.page;

    await openView(page, 'Go live');
    await page.getByRole('note').filter({ hasText: 'Nothing carries over from Demo' }).waitFor();
    const fill = async (label: string, value: string): Promise<void> =>
      page.getByLabel(label, { exact: true }).fill(value);
    await fill('Partner ID (mps-p-…)', DEMO_EPOS.partnerId);
    await fill('Application ID (mps-app-…)', DEMO_EPOS.applicationId);
    await fill('Partner Client ID (client_…)', DEMO_EPOS.partnerClientId);
    await fill('Partner Secret: environment variable name', 'RB_E2E_PARTNER_SECRET');
    await fill('Merchant Client ID (cli_…)', DEMO_EPOS.merchantClientId);
    await fill('Merchant Client Secret: environment variable name', 'RB_E2E_MERCHANT_SECRET');

    // A TID the merchant does not have on Live: the check fails at that step and nothing is switched.
    await fill('Live terminal ID (TID)', '99999999');
    await page.getByRole('button', { name: 'Check and switch to Live' }).click();
    await page.getByRole('status').filter({ hasText: 'Not switched' }).waitFor({ timeout: 30_000 });
    const steps = page.getByRole('list', { name: 'Go-live steps' });
    await expect(
      steps.getByRole('listitem').filter({ hasText: '99999999 is not among' }).textContent(),
    ).resolves.toMatch(/Fix/);
    await shoot(page, 'go-live-refused');
    expect(JSON.parse(readFileSync(configFile, 'utf8')).terminals[0].environment).toBe('demo');

    await fill('Live terminal ID (TID)', DEMO_EPOS.terminalId);
    await page.getByRole('button', { name: 'Check and switch to Live' }).click();
    await page.getByRole('status').filter({ hasText: 'is set to Live' }).waitFor({ timeout: 30_000 });
    await expect(page.getByText('Ready for Live payments.').count()).resolves.toBe(1);
    await shoot(page, 'go-live-switched');
    const saved = JSON.parse(readFileSync(configFile, 'utf8')) as { terminals: Array<Record<string, unknown>> };
    expect(saved.terminals[0]).toMatchObject({
      environment: 'live',
      partnerSecret: { env: 'RB_E2E_PARTNER_SECRET' },
      merchantSecret: { env: 'RB_E2E_MERCHANT_SECRET' },
    });
    expect(service.journal.environmentSwitches('cloud')).toEqual([
      expect.objectContaining({ from: 'demo', to: 'live' }),
    ]);

    await page.getByRole('button', { name: 'Copy support info' }).click();
    const info = await page.getByLabel('Support info').textContent();
    expect(info).toContain(`Partner ID ${DEMO_EPOS.partnerId}`);
    expect(info).toContain(`Application ID ${DEMO_EPOS.applicationId}`);
    expect(info).toMatch(/Register Bridge \d/);
    expect(info).not.toContain(DEMO_EPOS.partnerSecret);
    expect(ui.problems).toEqual([]);
  }, 120_000);
});
