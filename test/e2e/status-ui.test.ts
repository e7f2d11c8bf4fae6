/**
 * The status page in real Chromium against the whole product on loopback: the simulated myPOS terminal (IPP), the
 * bridge, a native register, the fake myPOS API Gateway, and the headless status server serving a fresh build of
 * the page. The page's CSP is enforced by the browser: any page error or console error fails the test.
 */
import { once } from 'node:events';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it, onTestFinished, vi } from 'vitest';
import type { Page } from 'playwright-core';
import { answerInvoke } from '../../electron/ipc-main';
import { parseConfig } from '../../src/config/load';
import { createLogger, type Logger } from '../../src/log/logger';
import { StatusCore } from '../../src/status/core';
import { LogRing } from '../../src/status/log-ring';
import { startStatusServer, type StatusServer } from '../../src/status/server';
import { DEMO_EPOS, FakeEposGateway } from '../../src/terminal/simulator/epos-gateway';
import { startHarness, type Harness } from '../helpers/bridge-harness';
import { buildRenderer } from './build-renderer';
import {
  openStatusPage,
  openView as openPageView,
  shoot as shootPage,
  SHOTS,
  watchErrors,
  type StatusPage,
} from './page';

// electron/ipc-main.ts imports Electron's types only; nothing of Electron runs here.
vi.mock('electron', () => ({}));

let h: Harness;
let gateway: FakeEposGateway;
let server: StatusServer;
let core: StatusCore;
let ui: StatusPage;
let page: Page;
let staticDir: string;
let configDir: string;
let configFile: string;
let log: Logger;

const shoot = (name: string): Promise<void> => shootPage(page, name);
const openView = (label: string, heading?: string): Promise<void> => openPageView(page, label, heading);

beforeAll(async () => {
  const ring = new LogRing(500);
  log = createLogger({ level: 'debug', destination: ring });
  [staticDir, h] = await Promise.all([buildRenderer(), startHarness({ service: { log } })]);
  gateway = new FakeEposGateway({ approveDelayMs: 30 });
  const gatewayUrl = await gateway.start();

  // The config file the Settings view edits: the same setup as the harness runs.
  configDir = mkdtempSync(join(tmpdir(), 'rb-e2e-config-'));
  configFile = join(configDir, 'config.json');
  const raw = {
    dataDir: h.dataDir,
    listeners: [{ id: 'pos', protocol: 'native', transport: { type: 'tcp', host: '127.0.0.1', port: 7450 } }],
    terminals: [
      { id: 'lane1', driver: 'ipp', transport: { type: 'tcp', host: '127.0.0.1', port: h.sim.port! }, currency: 'EUR' },
    ],
    status: { enabled: true, host: '127.0.0.1', port: 7460 },
  };
  writeFileSync(configFile, JSON.stringify(raw, null, 2));

  core = new StatusCore({
    config: parseConfig(raw),
    configFile,
    log,
    logs: ring,
    wizard: { eposBaseUrls: { demo: gatewayUrl, live: gatewayUrl }, eposPollIntervalMs: 50, ippConnectTimeoutMs: 2000 },
  });
  core.attach(h.service);
  server = await startStatusServer({ core, host: '127.0.0.1', port: 0, staticDir, log });

  ui = await openStatusPage(server.url);
  page = ui.page;
});

afterEach(() => {
  const seen = ui?.problems.splice(0) ?? [];
  expect(seen).toEqual([]);
});

afterAll(async () => {
  await ui?.close();
  await server?.close();
  core?.detach();
  await gateway?.close();
  await h?.close();
  if (staticDir) rmSync(staticDir, { recursive: true, force: true });
  if (configDir) rmSync(configDir, { recursive: true, force: true });
});

describe('status page in Chromium', () => {
  it('serves the page under a strict CSP without inline script', async () => {
    const res = await page.request.get(server.url);
    const csp = res.headers()['content-security-policy'] ?? '';
    expect(csp).toContain("default-src 'self'");
    expect(csp).toContain("script-src 'self'");
    expect(csp).not.toContain('unsafe-inline');
    const html = await res.text();
    expect(html).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>/);
    expect(html).not.toMatch(/\sstyle=/);
  });

  it('shows a sale from a register live on the dashboard: stages while it runs, then the outcome', async () => {
    const terminal = page.locator('[data-terminal="lane1"]');
    await terminal.getByText('Ready').waitFor();
    await page.locator('[data-listener="pos"]').getByText(`127.0.0.1:${h.port}`).waitFor();
    await shoot('dashboard-idle');

    h.sim.hold();
    // Whatever happens, the terminal is let go for the tests that follow.
    onTestFinished(() => {
      h.sim.release();
    });
    const register = await h.client();
    register.send({ op: 'sale', id: 's1', ref: 'E2E-1001', amount: 1234, currency: 'EUR' });
    // The register's connection shows on its listener's card.
    await page
      .locator('[data-listener="pos"] [data-testid="listener-registers"] li', { hasText: /^tcp 127\.0\.0\.1:\d+$/ })
      .waitFor();
    const card = page.locator('article[data-ref="E2E-1001"]');
    await card.locator('.badge', { hasText: 'Running' }).waitFor();
    await card.locator('[data-stage="present_card"][aria-current="step"]').waitFor();
    await terminal.getByText('Busy').waitFor();
    // Every step so far, in order, with none missing (the page merges pushed stages with its snapshots).
    expect(
      await card.locator('[data-stage]').evaluateAll((els) => els.map((e) => e.getAttribute('data-stage'))),
    ).toEqual(['queued', 'connecting', 'sent', 'accepted', 'present_card']);
    await shoot('dashboard-running');

    h.sim.release();
    const result = await register.waitFor((m) => m.id === 's1' && m.type === 'result');
    expect(result.outcome).toBe('approved');
    await card.locator('.badge', { hasText: 'Approved' }).waitFor();
    await card.locator('[data-stage="done"]').waitFor();
    await page.locator('table.results tr[data-ref="E2E-1001"] .badge', { hasText: 'Approved' }).waitFor();
    expect(await page.locator('table.results tr[data-ref="E2E-1001"]').textContent()).toContain('EUR\u00a012.34');
    await terminal.getByText('Ready').waitFor();
    await shoot('dashboard-done');
  });

  it('a payment that loses its terminal stands out as in doubt with what the bridge does, until the bridge resolves it', async () => {
    try {
      h.sim.dropAfterApproval(true);
      const register = await h.client();
      const dropped = once(h.sim, 'dropped');
      register.send({ op: 'sale', id: 'd1', ref: 'E2E-LOST', amount: 777, currency: 'EUR' });
      await dropped;
      h.sim.setFaults({ dropAfterApproval: false, offline: true });
      // The bridge asks the silent terminal a few times before it answers the register "in doubt".
      const result = await register.waitFor((m) => m.id === 'd1' && m.type === 'result', 60_000);
      expect(result.outcome).toBe('in_doubt');

      const item = page.locator('.attention [data-ref="E2E-LOST"]');
      await item.getByText('In doubt').waitFor({ timeout: 20_000 });
      expect(await item.textContent()).toContain('EUR\u00a07.77');
      expect(await item.textContent()).toContain('keeps asking terminal lane1');
      expect(await item.textContent()).toContain('Do not take the payment again');
      await shoot('dashboard-in-doubt');

      // The terminal comes back: the bridge asks it by itself and the payment leaves the attention box with its outcome.
      h.sim.offline(false);
      await item.waitFor({ state: 'detached', timeout: 30_000 });
      const row = page.locator('table.results tr[data-ref="E2E-LOST"]');
      await row.locator('.badge').filter({ hasNotText: 'In doubt' }).waitFor();
      expect(h.sim.netCharges('E2E-LOST')).toBe(0);
      await page.locator('[data-terminal="lane1"]').getByText('Ready').waitFor({ timeout: 20_000 });
    } finally {
      // Whatever happened, the terminal is back for the tests that follow.
      h.sim.setFaults({ dropAfterApproval: false, offline: false });
    }
  }, 120_000);

  it('shows an in_doubt payment prominently with what the bridge does about it', async () => {
    const j = h.service.journal;
    const r = j.insertIntent({
      register: 'other',
      ref: 'E2E-DOUBT',
      kind: 'sale',
      amount: { minor: 500, currency: 'EUR' },
      tip: 0,
      terminal: 'lane1',
    });
    j.update(
      r.id,
      { outcome: 'in_doubt', stage: 'recovering', driverRef: 'sid-x', message: 'The terminal could not tell yet' },
      { type: 'in_doubt' },
    );
    core.emit('event', { type: 'state', reason: 'test' });
    const item = page.locator('.attention [data-ref="E2E-DOUBT"]');
    await item.getByText('In doubt').waitFor();
    expect(await item.textContent()).toContain('keeps asking terminal lane1');
    await shoot('dashboard-attention');
    // Let the bridge resolve it (the simulator does not know it: it stays in doubt, which is fine for the view).
  });

  it('finds the sale in the journal, shows every field and event, and exports CSV', async () => {
    await openView('Journal');
    await page.getByLabel('Reference').fill('E2E-1001');
    await page.getByLabel('Reference').press('Enter');
    const row = page.locator('table.results tr[data-ref="E2E-1001"]');
    await row.waitFor();
    await expect.poll(() => page.locator('table.results tbody tr').count()).toBe(1);
    await page.getByLabel('Outcome').selectOption('approved');
    await page.getByLabel('Amount').fill('12.34');
    await page.getByRole('button', { name: 'Search' }).click();
    await row.waitFor();
    // The wrong outcome or amount finds nothing.
    await page.getByLabel('Amount').fill('12.35');
    await page.getByRole('button', { name: 'Search' }).click();
    await page.getByText('No payment matches.').waitFor();
    await page.getByLabel('Amount').fill('12.34');
    await page.getByLabel('Outcome').selectOption('declined');
    await page.getByRole('button', { name: 'Search' }).click();
    await page.getByText('No payment matches.').waitFor();
    await page.getByLabel('Outcome').selectOption('approved');

    // By date (the journal's days are UTC days): the sale's day finds it, the days before it do not.
    const [found] = await core.journalSearch({ ref: 'E2E-1001' });
    const day = found!.createdAt.slice(0, 10);
    const dayBefore = new Date(Date.parse(`${day}T00:00:00Z`) - 86_400_000).toISOString().slice(0, 10);
    await page.getByLabel('From (date)').fill(dayBefore);
    await page.getByLabel('To (date)').fill(dayBefore);
    await page.getByRole('button', { name: 'Search' }).click();
    await page.getByText('No payment matches.').waitFor();
    await page.getByLabel('From (date)').fill(day);
    await page.getByLabel('To (date)').fill(day);
    await page.getByRole('button', { name: 'Search' }).click();
    await row.waitFor();
    await expect.poll(() => page.locator('table.results tbody tr').count()).toBe(1);

    await page.getByRole('button', { name: 'Details of E2E-1001' }).click();
    const detail = page.locator('section.detail');
    await detail.getByText('Authorisation code').waitFor();
    expect(await detail.textContent()).toContain('Card (masked)');
    expect(await detail.locator('table tbody tr').count()).toBeGreaterThan(3);
    expect(await detail.textContent()).toContain('outcome');

    // The receipt, both copies, as the register's printer prints them.
    const customer = detail.locator('pre[data-copy="customer"]');
    await customer.waitFor();
    expect(await detail.locator('pre[data-copy="merchant"]').textContent()).toContain('12.34');
    expect(await customer.textContent()).toContain('12.34');
    expect(await customer.getAttribute('data-width')).toBe('40');
    await shoot('journal');
    await detail.locator('section.receipt').screenshot({ path: join(SHOTS, 'journal-receipt.png') });
    await detail.getByLabel('Printer width').selectOption('32');
    await detail.locator('pre[data-copy="customer"][data-width="32"]').waitFor();
    const lines = (await customer.textContent())!.split('\n');
    expect(Math.max(...lines.map((l) => l.length))).toBeLessThanOrEqual(32);
    expect(lines.join('\n')).not.toContain('DUPLICATE');

    // Reprint: the duplicate, then the system's print dialog (counted here instead of opened).
    await page.evaluate(() => {
      const w = window as unknown as { print(): void; printed: number };
      w.printed = 0;
      w.print = () => void (w.printed += 1);
    });
    await detail.getByRole('button', { name: 'Reprint (duplicate)' }).click();
    await detail.getByText('Customer copy (duplicate)').waitFor();
    expect(await customer.textContent()).toContain('*** DUPLICATE ***');
    await expect.poll(() => page.evaluate(() => (window as unknown as { printed: number }).printed)).toBe(1);
    await detail.getByRole('button', { name: 'Close details' }).click();

    // A payment in doubt has no receipt yet, and says why.
    await page.getByLabel('Reference').fill('E2E-DOUBT');
    await page.getByLabel('Outcome').selectOption('');
    await page.getByLabel('Amount').fill('');
    await page.getByLabel('From (date)').fill('');
    await page.getByLabel('To (date)').fill('');
    await page.getByRole('button', { name: 'Search' }).click();
    await page.getByRole('button', { name: 'Details of E2E-DOUBT' }).click();
    expect(await page.getByTestId('receipt-note').textContent()).toContain('in doubt');
    await page.getByRole('button', { name: 'Close details' }).click();
    await page.getByLabel('Reference').fill('E2E-1001');

    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('button', { name: 'Export CSV' }).click(),
    ]);
    const csv = readFileSync((await download.path())!, 'utf8');
    expect(csv.split('\r\n')[0]).toContain('created_at,register,ref');
    expect(csv).toContain('E2E-1001');
    // The export follows the search.
    expect(csv).not.toContain('E2E-DOUBT');
  });

  it('pings an IPP terminal and shows its TID', async () => {
    await openView('Setup', 'Set up a terminal');
    await page.getByLabel('Terminal on the network (IPP)').check();
    await page.getByLabel('Terminal address').fill('127.0.0.1');
    await page.getByRole('button', { name: '60180' }).click();
    expect(await page.getByLabel('Port', { exact: true }).inputValue()).toBe('60180');
    await page.getByLabel('Port', { exact: true }).fill(String(h.sim.port));
    await page.getByRole('button', { name: 'Ping the terminal' }).click();
    const answer = page.getByTestId('ipp-ping-result');
    await answer.getByText('The terminal answered.').waitFor();
    expect(await answer.textContent()).toMatch(/TID\s*\d{8}/);
    await shoot('setup-ipp');
  });

  it("walks the ePOS steps: bad credentials get the gateway's words; good ones list terminals and pay", async () => {
    await openView('Setup', 'Set up a terminal');
    await page.getByLabel('myPOS cloud terminal (ePOS)').check();
    await page.getByLabel('Partner ID').fill(DEMO_EPOS.partnerId);
    await page.getByLabel('Application ID').fill(DEMO_EPOS.applicationId);
    await page.getByLabel('Partner Client ID').fill(DEMO_EPOS.partnerClientId);
    await page.getByLabel('Partner Secret').fill('secret_wrong');
    await page.getByLabel('Merchant Client ID').fill(DEMO_EPOS.merchantClientId);
    await page.getByLabel('Merchant Secret').fill(DEMO_EPOS.merchantSecret);

    // Live needs a confirmation; staying on Demo keeps Demo.
    await page.getByLabel('Live (real money)').check();
    await page.getByRole('alertdialog').getByText('Use the Live environment?').waitFor();
    await page.getByRole('button', { name: 'Stay on Demo' }).click();
    expect(await page.getByLabel('Demo (test money)').isChecked()).toBe(true);

    await page.getByRole('button', { name: 'Test the credentials' }).click();
    const checks = page.getByTestId('epos-check');
    await checks.getByText('Failed: access token.').waitFor();
    expect(await checks.textContent()).toContain('Invalid client credentials.');
    await shoot('setup-epos-refused');

    await page.getByLabel('Partner Secret').fill(DEMO_EPOS.partnerSecret);
    await page.getByRole('button', { name: 'Test the credentials' }).click();
    await checks.getByText('Passed: merchant session.').waitFor();
    const tid = page.getByRole('radio', { name: new RegExp(DEMO_EPOS.terminalId) });
    await tid.waitFor();
    expect(await tid.isChecked()).toBe(true);
    await page.getByRole('button', { name: `Run a test payment on ${DEMO_EPOS.terminalId}` }).click();
    const result = page.getByTestId('test-payment-result');
    await result.locator('.badge', { hasText: 'Approved' }).waitFor({ timeout: 20_000 });
    expect(await result.textContent()).toContain('EUR\u00a01.00');
    expect(gateway.requests.some((r) => r.method === 'POST' && r.path === '/epos/v1/payments')).toBe(true);
    await shoot('setup-epos-paid');
  });

  it('refuses an invalid port next to the field and saves a valid one', async () => {
    await openView('Settings');
    const before = readFileSync(configFile, 'utf8');
    const port = page.getByLabel('Port', { exact: true });
    await port.fill('70000');
    await page.getByRole('button', { name: 'Save settings' }).click();
    const field = page.locator('.field', { has: port });
    await field.locator('.field-error').getByText('must be 0–65535').waitFor();
    expect(await port.getAttribute('aria-invalid')).toBe('true');
    await page.getByText('Not saved: correct the marked fields.').waitFor();
    // The first field in error takes the focus, so its message is read out.
    await expect.poll(() => port.evaluate((el) => el === document.activeElement)).toBe(true);
    expect(readFileSync(configFile, 'utf8')).toBe(before);
    await shoot('settings-invalid');

    await port.fill('7451');
    await page.getByRole('button', { name: 'Save settings' }).click();
    await page.getByText(/^Saved\./).waitFor();
    const saved = JSON.parse(readFileSync(configFile, 'utf8')) as { listeners: Array<{ transport: { port: number } }> };
    expect(saved.listeners[0]!.transport.port).toBe(7451);
    expect(await field.locator('.field-error').count()).toBe(0);
  });

  it('shows the recent log, filterable', async () => {
    log.info({ view: 'logs' }, 'support engineer opens the log view');
    await openView('Logs');
    await page.locator('table.log').getByText('support engineer opens the log view').waitFor();
    await page.getByLabel('Containing').fill('no such words anywhere');
    await page.getByText('No log lines match.').waitFor();
    await page.getByLabel('Containing').fill('');
    await page.locator('table.log').waitFor();
    await shoot('logs');

    // Card data and secrets never reach the view, even when a line carries them.
    log.warn(
      { pan: '4111111111111111', track2: '4111111111111111=25121010000012345678', partnerSecret: 'secret_e2e_visible' },
      'card 4111111111111111 refused',
    );
    await page.getByLabel('Containing').fill('refused');
    const line = page.locator('table.log tbody tr', { hasText: 'refused' }).first();
    await line.waitFor();
    const text = (await page.locator('table.log').textContent()) ?? '';
    expect(text).toContain('****1111');
    expect(text).not.toContain('4111111111111111');
    expect(text).not.toContain('secret_e2e_visible');
  });

  it('lists local devices, or says why there are none', async () => {
    await openView('Setup', 'Set up a terminal');
    await page.getByLabel('USB or Bluetooth').check();
    const step = page.locator('section.step', { hasText: 'Choose the device' });
    await step.locator('.device-list, .empty').first().waitFor();
    // A list of devices, or an empty list with the reason next to it.
    if ((await step.locator('.device-list li').count()) === 0)
      expect(await step.locator('.hint').textContent()).toBeTruthy();
    await shoot('setup-devices');
  });

  it('talks to the core through the desktop bridge when the preload exposed one', async () => {
    const desktop = await ui.context.newPage();
    watchErrors(desktop, ui.problems, 'desktop ');
    const calls: string[] = [];
    // The page's side of electron/preload.ts, answered by the main process's real IPC handler.
    await desktop.exposeFunction('__invoke', async (method: string, arg: unknown) => {
      calls.push(method);
      return answerInvoke(core, 'app://bridge/index.html', { method, arg });
    });
    await desktop.addInitScript(() => {
      const w = window as unknown as Record<string, unknown>;
      const listeners = new Set<(e: unknown) => void>();
      w.__emit = (e: unknown) => listeners.forEach((l) => l(e));
      w.registerBridge = {
        invoke: (method: string, arg: unknown) =>
          (w.__invoke as (m: string, a: unknown) => Promise<unknown>)(method, arg),
        onEvent: (l: (e: unknown) => void) => {
          listeners.add(l);
          return () => listeners.delete(l);
        },
      };
    });
    const sockets: string[] = [];
    desktop.on('websocket', (ws) => sockets.push(ws.url()));
    await desktop.goto(server.url);
    await desktop.locator('[data-terminal="lane1"]').waitFor();
    expect(calls).toContain('state');
    expect(sockets).toEqual([]);
    const latest = await core.state();
    await desktop.evaluate((e) => (window as unknown as { __emit(e: unknown): void }).__emit(e), {
      type: 'terminal',
      terminal: { ...latest.terminals[0]!, state: 'offline', message: 'cable pulled' },
    });
    await desktop.locator('[data-terminal="lane1"]').getByText('Offline').waitFor();
    await desktop.close();
  });

  it('can be used with the keyboard: skip link, views, visible focus, a journal search and its details', async () => {
    await page.goto(server.url + '#/dashboard');
    await page.getByRole('heading', { name: 'Dashboard' }).waitFor();
    await page.keyboard.press('Tab');
    expect(await page.evaluate(() => document.activeElement?.textContent)).toBe('Skip to content');
    await page.keyboard.press('Tab');
    expect(await page.evaluate(() => document.activeElement?.textContent)).toBe('Dashboard');
    await page.keyboard.press('Tab');
    await page.keyboard.press('Enter');
    await page.getByRole('heading', { name: 'Journal', level: 1 }).waitFor();
    const outline = await page.evaluate(() => {
      const el = document.querySelector<HTMLElement>('nav button[aria-current="page"]');
      el?.focus();
      return el ? getComputedStyle(el).outlineStyle : '';
    });
    expect(outline).toBe('solid');

    // A journal search and a payment's details without the mouse: Tab to the field, type, Enter; Tab to the row, Enter.
    const tabUntil = async (is: () => boolean | Promise<boolean>, what: string): Promise<void> => {
      for (let i = 0; i < 25; i++) {
        if (await is()) return;
        await page.keyboard.press('Tab');
      }
      throw new Error(`Tab never reached ${what}`);
    };
    await tabUntil(
      () => page.evaluate(() => document.activeElement?.getAttribute('name') === 'ref'),
      'the Reference field',
    );
    await page.keyboard.type('E2E-1001');
    await page.keyboard.press('Enter');
    await page.locator('table.results tbody tr').first().waitFor();
    await expect.poll(() => page.locator('table.results tbody tr').count()).toBe(1);
    await tabUntil(
      () => page.evaluate(() => document.activeElement?.getAttribute('aria-label') === 'Details of E2E-1001'),
      'the payment',
    );
    await page.keyboard.press('Enter');
    await page.locator('section.detail').waitFor();
    // The details' heading takes the focus, so a screen reader reads what opened.
    await expect.poll(() => page.evaluate(() => document.activeElement?.id)).toBe('detail-title');
  });
});
