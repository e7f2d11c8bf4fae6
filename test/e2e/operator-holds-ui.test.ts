/**
 * Money-out holds in real Chromium: a register's refund above the listener's confirmation threshold waits on the
 * dashboard; the operator confirms one and refuses another with the keyboard alone, and the register hears the
 * outcome of each (the simulated terminal pays out only the confirmed one).
 */
import { rmSync } from 'node:fs';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { parseConfig } from '../../src/config/load';
import { silentLogger } from '../../src/log/logger';
import { StatusCore } from '../../src/status/core';
import { startStatusServer, type StatusServer } from '../../src/status/server';
import { startHarness, type Harness } from '../helpers/bridge-harness';
import { buildRenderer } from './build-renderer';
import { openStatusPage, openView, shoot, type StatusPage } from './page';

let h: Harness;
let server: StatusServer;
let core: StatusCore;
let ui: StatusPage;
let page: Page;
let staticDir: string;

beforeAll(async () => {
  const listener = { policy: { limits: { EUR: { confirmAbove: 5000 } } } };
  [staticDir, h] = await Promise.all([buildRenderer(), startHarness({ listener })]);
  const config = parseConfig({
    listeners: [
      { id: 'pos', protocol: 'native', transport: { type: 'tcp', host: '127.0.0.1', port: h.port }, ...listener },
    ],
    terminals: [
      { id: 'lane1', driver: 'ipp', transport: { type: 'tcp', host: '127.0.0.1', port: h.sim.port! }, currency: 'EUR' },
    ],
    status: { enabled: false },
  });
  core = new StatusCore({ config, log: silentLogger() });
  core.attach(h.service);
  server = await startStatusServer({ core, host: '127.0.0.1', port: 0, staticDir, log: silentLogger() });
  ui = await openStatusPage(server.url);
  page = ui.page;
});

afterEach(() => {
  expect(ui?.problems.splice(0) ?? []).toEqual([]);
});

afterAll(async () => {
  await ui?.close();
  await server?.close();
  core?.detach();
  await h?.close();
  if (staticDir) rmSync(staticDir, { recursive: true, force: true });
});

/** Tabs from the top of the page until the button named `name` has the focus, then presses Enter. */
async function pressWithKeyboard(name: RegExp): Promise<void> {
  await page.locator('body').focus();
  for (let i = 0; i < 60; i++) {
    await page.keyboard.press('Tab');
    const focused = await page.evaluate(() =>
      document.activeElement instanceof HTMLButtonElement ? (document.activeElement.textContent ?? '') : '',
    );
    if (name.test(focused)) {
      await page.keyboard.press('Enter');
      return;
    }
  }
  throw new Error(`no button ${String(name)} reachable with Tab`);
}

describe('held refunds on the status page', () => {
  it('confirms one and refuses another, with the keyboard; the register hears each outcome', async () => {
    const register = await h.client();
    register.send({ op: 'refund', id: 'r1', ref: 'RET-1', amount: 8000, currency: 'EUR' });
    expect(await register.waitFor((m) => m.id === 'r1' && m.type === 'progress')).toMatchObject({
      stage: 'awaiting_manager',
    });

    const hold = page.locator('[data-operator-hold]');
    await hold.waitFor();
    expect(await hold.textContent()).toContain('Refund of EUR\u00a080.00');
    await page.getByRole('heading', { name: 'Manager confirmation needed' }).waitFor();
    await shoot(page, 'dashboard-refund-held');
    await pressWithKeyboard(/^Confirm refund of EUR\s80\.00$/);
    expect(await register.waitFor((m) => m.id === 'r1' && m.type === 'result')).toMatchObject({
      outcome: 'approved',
      kind: 'refund',
    });
    await page.getByRole('status').filter({ hasText: 'confirmed: it goes to the terminal now' }).waitFor();
    await hold.waitFor({ state: 'detached' });

    register.send({ op: 'refund', id: 'r2', ref: 'RET-2', amount: 6500, currency: 'EUR' });
    await register.waitFor((m) => m.id === 'r2' && m.type === 'progress');
    await page.locator('[data-operator-hold]', { hasText: 'EUR 65.00' }).waitFor();
    await pressWithKeyboard(/^Refuse$/);
    expect(await register.waitFor((m) => m.id === 'r2' && m.type === 'error')).toMatchObject({
      code: 'refused_by_operator',
    });
    await page.getByRole('status').filter({ hasText: 'refused: the register is told' }).waitFor();
    await shoot(page, 'dashboard-refund-refused');

    expect(
      h.sim
        .ledger()
        .filter((e) => e.kind === 'refund')
        .map((e) => e.amountMinor),
    ).toEqual([8000]);
  });

  it('Settings makes a register key, shows it once, and names an environment variable for it (no keychain here)', async () => {
    await openView(page, 'Settings');
    const block = page.locator('[data-listener="pos"] [data-testid="register-key"]');
    await block.getByRole('button', { name: 'Generate a register key' }).click();
    const key = (await block.getByTestId('register-key-value').textContent()) ?? '';
    expect(key).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(await block.getByRole('status').textContent()).toContain('REGISTER_BRIDGE_KEY_POS');
    // The field now names the variable, never the key itself.
    expect(await page.locator('[data-listener="pos"]').textContent()).toContain(
      'from environment variable REGISTER_BRIDGE_KEY_POS',
    );
    await shoot(page, 'settings-register-key');
  });
});
