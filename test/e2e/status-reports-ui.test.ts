/**
 * The status page's reports, held duplicate totals and listener options in real Chromium against the whole product
 * on loopback: the simulated myPOS terminal (IPP), the bridge with a native register listener and a receipt-printer
 * capture listener, and the headless status server serving a fresh build of the page. Any page error or console
 * error fails the test.
 */
import { once } from 'node:events';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { parseConfig } from '../../src/config/load';
import { createLogger } from '../../src/log/logger';
import type { CaptureRecord, CaptureRegistry } from '../../src/register/capture/capture-registry';
import { startService, type Service } from '../../src/service';
import { StatusCore } from '../../src/status/core';
import { LogRing } from '../../src/status/log-ring';
import { startStatusServer, type StatusServer } from '../../src/status/server';
import { IppSimulator } from '../../src/terminal/simulator/ipp-simulator';
import { loadFixture } from '../fixtures/capture/load';
import { NativeClient } from '../helpers/native-client';
import { buildRenderer } from './build-renderer';
import { openStatusPage, openView as openPageView, shoot as shootPage, SHOTS, type StatusPage } from './page';

/** The capture registry of the running service. */
const captures = (): CaptureRegistry => service.registers.captures;

let sim: IppSimulator;
let service: Service;
let server: StatusServer;
let core: StatusCore;
let ui: StatusPage;
let page: Page;
let staticDir: string;
let dataDir: string;
let configFile: string;
let nativePort: number;
let printerPort: number;
const sockets: Socket[] = [];
const clients: NativeClient[] = [];

const shoot = (name: string): Promise<void> => shootPage(page, name);
const openView = (label: string, heading?: string): Promise<void> => openPageView(page, label, heading);

async function sale(ref: string, amount: number): Promise<void> {
  const c = await NativeClient.open(nativePort);
  clients.push(c);
  c.send({ op: 'sale', id: ref, ref, amount, currency: 'EUR' });
  const result = await c.waitFor((m) => m.id === ref && m.type === 'result');
  expect(result.outcome).toBe('approved');
}

/** The register prints a receipt to the bridge as if it were its printer (one print job per connection). */
async function printReceipt(bytes: Buffer): Promise<void> {
  const s = await new Promise<Socket>((res, rej) => {
    const sock = connect({ port: printerPort, host: '127.0.0.1', allowHalfOpen: true }, () => res(sock));
    sock.on('error', rej);
  });
  sockets.push(s);
  s.end(bytes);
}

/** The next capture of the printer listener that satisfies `pred` (or one seen already). */
function capture(pred: (c: CaptureRecord) => boolean): Promise<CaptureRecord> {
  const seen = captures()
    .recentCaptures(100)
    .find((c) => c.listener === 'prn' && pred(c));
  if (seen) return Promise.resolve(seen);
  return new Promise((res, rej) => {
    const t = setTimeout(() => rej(new Error('no matching capture')), 20_000);
    const on = (c: CaptureRecord): void => {
      if (c.listener !== 'prn' || !pred(c)) return;
      clearTimeout(t);
      captures().off('capture', on);
      res(c);
    };
    captures().on('capture', on);
  });
}

async function settled(): Promise<void> {
  const until = Date.now() + 10_000;
  while (sim.openTransaction() !== undefined && Date.now() < until) await once(sim, 'ledger');
  expect(sim.openTransaction()).toBeUndefined();
}

beforeAll(async () => {
  const ring = new LogRing(500);
  const log = createLogger({ level: 'info', destination: ring });
  sim = new IppSimulator({ fast: true });
  const simPort = await sim.listen({ host: '127.0.0.1', port: 0 });
  dataDir = mkdtempSync(join(tmpdir(), 'rb-e2e-reports-'));
  const terminals = [
    { id: 'lane1', driver: 'ipp', transport: { type: 'tcp', host: '127.0.0.1', port: simPort }, currency: 'EUR' },
  ];
  const running = parseConfig({
    dataDir,
    listeners: [
      { id: 'pos', protocol: 'native', transport: { type: 'tcp', host: '127.0.0.1', port: 0 } },
      {
        id: 'prn',
        protocol: 'printer',
        transport: { type: 'tcp', host: '127.0.0.1', port: 0 },
        options: { duplicateWindowMs: 600_000 },
      },
    ],
    terminals,
    status: { enabled: false },
  });
  [staticDir, service] = await Promise.all([
    buildRenderer(),
    startService(running, {
      log,
      status: false,
      bridge: {
        busyBackoffMs: 10,
        deliveryTimeoutMs: 5000,
        recoveryMinMs: 50,
        recoveryMaxMs: 200,
        healthIntervalMs: 0,
        inDoubtLookupDelayMs: 20,
      },
    }),
  ]);
  nativePort = service.listeners[0]!.port!;
  printerPort = service.listeners[1]!.port!;

  // The config file the Settings view edits: a printer capture listener and a text listener beside the native one.
  configFile = join(dataDir, 'config.json');
  writeFileSync(
    configFile,
    JSON.stringify(
      {
        dataDir,
        listeners: [
          { id: 'pos', protocol: 'native', transport: { type: 'tcp', host: '127.0.0.1', port: 7450 } },
          {
            id: 'prn',
            protocol: 'printer',
            transport: { type: 'tcp', host: '127.0.0.1', port: 9100 },
            options: { duplicateWindowMs: 60000 },
          },
          { id: 'till', protocol: 'text', transport: { type: 'tcp', host: '127.0.0.1', port: 7452 } },
        ],
        terminals,
      },
      null,
      2,
    ),
  );

  core = new StatusCore({ config: running, configFile, log, logs: ring });
  core.attach(service);
  server = await startStatusServer({ core, host: '127.0.0.1', port: 0, staticDir, log });

  ui = await openStatusPage(server.url);
  page = ui.page;
}, 120_000);

afterEach(() => {
  const seen = ui?.problems.splice(0) ?? [];
  expect(seen).toEqual([]);
});

afterAll(async () => {
  for (const s of sockets.splice(0)) s.destroy();
  for (const c of clients.splice(0)) c.close();
  await ui?.close();
  await server?.close();
  core?.detach();
  await captures().idle();
  await service?.close();
  await sim?.close();
  if (staticDir) rmSync(staticDir, { recursive: true, force: true });
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
});

describe('status page: reports, held totals, listener options', () => {
  it("shows the business day's totals of a sale live, reconciles on demand and closes the day", async () => {
    await sale('E2E-R1', 1234);
    await openView('Reports');
    const eur = page.getByTestId('totals-EUR');
    await eur.waitFor();
    expect(await eur.locator('tr', { hasText: 'Sales' }).first().textContent()).toContain('EUR\u00a012.34');
    expect(await eur.getByTestId('net').textContent()).toContain('EUR\u00a012.34');
    expect(await page.locator('[data-currency="EUR"] tr[data-kind="sale"]').textContent()).toContain(
      '1 · EUR\u00a012.34',
    );

    // A sale while the page is open arrives by the event stream: no reload, no click.
    await sale('E2E-R2', 766);
    await eur.getByTestId('net').getByText('EUR 20.00').waitFor();
    expect(await page.getByTestId('day-counts').textContent()).toContain('2 approved');
    await page.getByText('This business day has not been reconciled yet.').waitFor();
    await shoot('reports-totals');

    // An approval the terminal has no record of (written straight into the journal): the reconciliation must find it.
    const j = service.journal;
    const ghost = j.insertIntent({
      register: 'other',
      ref: 'E2E-GHOST',
      kind: 'sale',
      amount: { minor: 500, currency: 'EUR' },
      tip: 0,
      terminal: 'lane1',
    });
    j.update(
      ghost.id,
      { outcome: 'approved', stage: 'done', driverRef: 'sid-unknown-1', message: 'Approved' },
      { type: 'outcome' },
    );
    core.emit('event', { type: 'state', reason: 'test' });
    await eur.getByTestId('net').getByText('EUR 25.00').waitFor();

    // Reconcile now asks first; cancelling does nothing.
    await page.getByRole('button', { name: 'Reconcile now' }).click();
    const dialog = page.getByRole('alertdialog');
    await dialog.getByText('Reconcile with the host now?').waitFor();
    await dialog.getByRole('button', { name: 'Cancel' }).click();
    await dialog.waitFor({ state: 'detached' });
    await page.getByRole('button', { name: 'Reconcile now' }).click();
    await dialog.getByRole('button', { name: 'Yes, reconcile' }).click();
    const recon = page.getByTestId('reconciliation');
    await recon.waitFor();
    await page
      .getByRole('status')
      .getByText(/^Reconciliation of [A-Z][a-z]{2} \d{1,2}, \d{4} done/)
      .waitFor();
    const summary = await recon.getByRole('list', { name: 'Reconciliation summary' }).textContent();
    expect(summary).toContain('Matched: 2');
    expect(summary).toContain('Missing at the host: 1');
    expect(summary).toContain('Missing in the journal: 0');
    expect(summary).toContain('Amount mismatch: 0');
    expect(summary).toContain('Status mismatch: 0');
    expect(summary).toContain('In doubt, still open: 0');
    expect(await recon.getByTestId('recon-verdict').textContent()).toBe('discrepancies found.');
    const missing = recon.locator('[data-list="missing_at_host"] tr[data-ref="E2E-GHOST"]');
    expect(await missing.textContent()).toContain('EUR\u00a05.00');
    expect(await missing.textContent()).toContain('-EUR\u00a05.00');
    const row = recon.getByTestId('recon-totals').locator('tr[data-currency="EUR"]');
    expect(await row.textContent()).toContain('3 · EUR\u00a025.00');
    expect(await row.textContent()).toContain('2 · EUR\u00a020.00');
    expect(await row.locator('td').last().textContent()).toBe('-EUR\u00a05.00');
    await shoot('reports-reconciled');

    const [download] = await Promise.all([
      page.waitForEvent('download'),
      recon.getByRole('button', { name: 'Reconciliation CSV' }).click(),
    ]);
    const csv = readFileSync((await download.path())!, 'utf8');
    expect(csv).toContain('E2E-R1');
    expect(csv).toContain('missing_at_host');
    expect(csv).toContain('E2E-GHOST');

    // Close the day: asked first, then the last end of day shows it and the reconciliation that follows arrives live.
    const firstRun = await recon.getAttribute('data-generated');
    await page.getByRole('button', { name: 'Close the day' }).click();
    await dialog.getByText('Close the business day now?').waitFor();
    await dialog.getByRole('button', { name: 'Yes, close the day' }).click();
    const eod = page.getByTestId('last-end-of-day');
    await eod.getByText(/closed at/).waitFor();
    expect(await eod.textContent()).toContain('net EUR\u00a025.00');
    expect(await eod.textContent()).toContain('lane1');
    await expect.poll(() => recon.getAttribute('data-generated'), { timeout: 20_000 }).not.toBe(firstRun);
    await shoot('reports-end-of-day');
    await page
      .locator('section[aria-labelledby="eod-title"]')
      .screenshot({ path: join(SHOTS, 'reports-last-end-of-day.png') });
    await page
      .locator('section[aria-labelledby="recon-title"]')
      .screenshot({ path: join(SHOTS, 'reports-reconciliation.png') });
  });

  it('holds the same printed total as a possible duplicate; the cashier confirms or discards it by keyboard', async () => {
    await openView('Dashboard');
    const receipt = loadFixture('receipt-total-comma.esc');
    await printReceipt(receipt.bytes);
    const first = await capture((c) => c.outcome === 'approved');
    await settled();
    expect(service.journal.list({ register: 'prn' })).toHaveLength(1);

    // The same receipt again: held, not charged; the dashboard asks.
    await printReceipt(receipt.bytes);
    const hold = page.locator('.holds [data-hold]');
    await hold.waitFor();
    expect(await hold.textContent()).toMatch(/Same total EUR\u00a012\.34 again within \d+ s — charge again\?/);
    expect(await hold.textContent()).toContain(first.ref);
    expect(service.journal.list({ register: 'prn' })).toHaveLength(1);
    // Screen readers are told at once (the live region was on the page before the total was held).
    expect(await page.getByTestId('holds-announce').textContent()).toContain('Same total EUR\u00a012.34 again');
    await shoot('dashboard-held-total');

    // Confirm with the keyboard: the payment starts and the question goes away.
    const confirmButton = hold.getByRole('button', { name: /^Confirm: charge EUR\s12\.34$/ });
    await confirmButton.focus();
    await page.keyboard.press('Enter');
    await page
      .getByRole('status')
      .getByText(/EUR\s12\.34 is being charged as payment PRN-\d{8}-\d{4}\./)
      .waitFor();
    await hold.waitFor({ state: 'detached' });
    const again = await capture((c) => c.confirmed === true && c.outcome !== null);
    expect(again.outcome).toBe('approved');
    await settled();
    expect(service.journal.list({ register: 'prn' })).toHaveLength(2);

    // Once more: discarded with the keyboard, nothing charged.
    await printReceipt(receipt.bytes);
    await hold.waitFor();
    await hold.getByRole('button', { name: 'Discard' }).focus();
    await page.keyboard.press('Space');
    await page.getByRole('status').getByText('EUR 12.34 discarded: nothing was charged.').waitFor();
    await hold.waitFor({ state: 'detached' });
    expect(captures().listPendingConfirmations()).toHaveLength(0);
    expect(service.journal.list({ register: 'prn' })).toHaveLength(2);
  });

  it("edits a capture listener's options: an invalid pattern is refused next to the field, valid ones are saved", async () => {
    await openView('Settings');
    const before = readFileSync(configFile, 'utf8');
    const prn = page.locator('.listener-block[data-listener="prn"]');
    await prn.getByRole('heading', { name: 'Receipt printer capture' }).waitFor();
    const pattern = prn.getByLabel('Total pattern');
    await pattern.fill('TOTAL (?<amount>[0-9');
    await page.getByRole('button', { name: 'Save settings' }).click();
    const field = prn.locator('.field', { has: page.getByLabel('Total pattern') });
    await field
      .locator('.field-error')
      .getByText(/is not a valid regular expression/)
      .waitFor();
    expect(await pattern.getAttribute('aria-invalid')).toBe('true');
    await page.getByText('Not saved: correct the marked fields.').waitFor();
    await expect.poll(() => pattern.evaluate((el) => el === document.activeElement)).toBe(true);
    expect(readFileSync(configFile, 'utf8')).toBe(before);
    await shoot('settings-capture-invalid');

    // Without the "amount" group the pattern is refused too, with the reason.
    await pattern.fill('SUMME\\s+([0-9.,]+)');
    await field
      .locator('.field-error')
      .getByText(/named group "amount"/)
      .waitFor();

    await pattern.fill('SUMME\\s+(?<amount>[0-9.,]+)');
    await prn.getByLabel('Decimal separator').selectOption(',');
    await prn.getByLabel('Duplicate window (ms, 0 = off)').fill('30000');
    await prn.getByLabel('Real printer behind the bridge', { exact: true }).selectOption('tcp');
    await prn.getByLabel('Real printer behind the bridge: port').fill('9101');
    await prn.getByLabel('Print a slip with the outcome after each payment').check();

    // The text listener becomes a pole display waiting for a key word.
    const till = page.locator('.listener-block[data-listener="till"]');
    await till.getByLabel('Field separator').waitFor();
    await till.getByLabel('Protocol').selectOption('pole-display');
    await till.getByLabel('Start the payment when').selectOption('keyword');
    await till.getByLabel('Key words').fill('KARTE, EC');
    // A new listener: a pole display on a serial port, with the built-in defaults.
    await page.getByRole('button', { name: 'Add a listener' }).click();
    await expect
      .poll(() => page.evaluate(() => (document.activeElement as HTMLInputElement | null)?.name))
      .toBe('listeners[3].id');
    const added = page.locator('.listener-block[data-listener="listener-4"]');
    await added.getByLabel('Protocol').selectOption('pole-display');
    await added.getByLabel('Connection').selectOption('serial');
    await added.getByLabel('Serial port').fill('/dev/ttyS5');
    await added.getByLabel('Stable for (ms)').fill('800');
    await field.locator('.field-error').waitFor({ state: 'detached' });
    await page.getByRole('button', { name: 'Save settings' }).click();
    await page.getByText(/^Saved\./).waitFor();
    const saved = JSON.parse(readFileSync(configFile, 'utf8')) as {
      listeners: Array<{ protocol: string; options?: Record<string, unknown> }>;
    };
    expect(saved.listeners[1]!.options).toEqual({
      duplicateWindowMs: 30000,
      pattern: 'SUMME\\s+(?<amount>[0-9.,]+)',
      decimal: ',',
      forward: { type: 'tcp', host: '127.0.0.1', port: 9101 },
      slip: true,
    });
    expect(saved.listeners[2]).toMatchObject({
      protocol: 'pole-display',
      options: { trigger: 'keyword', keywords: ['KARTE', 'EC'] },
    });
    expect(saved.listeners[3]).toEqual({
      id: 'listener-4',
      protocol: 'pole-display',
      transport: { type: 'serial', path: '/dev/ttyS5' },
      options: { stableMs: 800 },
    });
    expect(await page.locator('main [aria-invalid="true"]').count()).toBe(0);
    await shoot('settings-capture-saved');
  });

  it("removing a listener leaves every other listener's fields showing their own values", async () => {
    await openView('Settings');
    const l4 = page.locator('.listener-block[data-listener="listener-4"]');
    await l4.getByLabel('Start the payment when').selectOption('keyword');
    await l4.getByLabel('Key words').fill('PAY');
    const till = page.locator('.listener-block[data-listener="till"]');
    expect(await till.getByLabel('Key words').inputValue()).toBe('KARTE, EC');
    await page
      .locator('.listener-block[data-listener="prn"]')
      .getByRole('button', { name: 'Remove listener prn' })
      .click();
    await page.locator('.listener-block[data-listener="prn"]').waitFor({ state: 'detached' });
    // listener-4 now stands where till stood: its key words are its own, not till's.
    expect(await l4.getByLabel('Key words').inputValue()).toBe('PAY');
    expect(await till.getByLabel('Key words').inputValue()).toBe('KARTE, EC');
  });

  it('a register on a USB HID cable: its ids are asked for in hex, a missing one is refused next to the field', async () => {
    // Start from the saved settings, not from the edits above.
    await page.reload();
    await openView('Settings');
    await page.getByRole('button', { name: 'Add a listener' }).click();
    const block = page.locator('.listener-block').last();
    await block.getByLabel('Connection').selectOption('hid');
    await block.getByLabel('USB product id').fill('ea80');
    await page.getByRole('button', { name: 'Save settings' }).click();
    const vendor = block.getByLabel('USB vendor id');
    await block
      .locator('.field', { has: page.getByLabel('USB vendor id') })
      .locator('.field-error')
      .getByText(/USB vendor id, a number 0–65535/)
      .waitFor();
    expect(await vendor.getAttribute('aria-invalid')).toBe('true');
    await vendor.fill('0x10C4');
    await block.getByLabel('Report framing').selectOption('cp2110');
    await page.getByRole('button', { name: 'Save settings' }).click();
    await page.getByText(/^Saved\./).waitFor();
    const saved = JSON.parse(readFileSync(configFile, 'utf8')) as { listeners: Array<{ transport: unknown }> };
    expect(saved.listeners.at(-1)!.transport).toEqual({
      type: 'hid',
      vendorId: 0x10c4,
      productId: 0xea80,
      framing: 'cp2110',
    });
    await page.reload();
    await openView('Settings');
    expect(await page.locator('.listener-block').last().getByLabel('USB vendor id').inputValue()).toBe('10C4');
    await shoot('settings-hid');
  });

  it("a text register's field orders and answer words, and the forwarder's retry and buffer, are set in the form", async () => {
    await page.reload();
    await openView('Settings');
    await page.getByRole('button', { name: 'Add a listener' }).click();
    const block = page.locator('.listener-block').last();
    await block.getByLabel('Protocol').selectOption('text');
    await block.getByLabel('Port', { exact: true }).fill('7459');
    // An order that leaves a field out is refused next to the field, with the names it must have.
    const order = block.getByLabel('Order of the request fields');
    await order.fill('ref, command, amount');
    await page.getByRole('button', { name: 'Save settings' }).click();
    await block
      .locator('.field', { has: page.getByLabel('Order of the request fields') })
      .locator('.field-error')
      .getByText(/must name each of command, ref, amount, currency exactly once/)
      .waitFor();
    expect(await order.getAttribute('aria-invalid')).toBe('true');
    await order.fill('ref, command, amount, currency');
    await block.getByLabel('Order of the answer fields').fill('ref, status, result, detail');
    await block.getByLabel('Answer word: approved').fill('GENEHMIGT');
    await block.getByLabel('Answer word: in doubt').fill('UNKLAR');

    // The capture listener saved above forwards to a real printer: its retry and buffer are in the form too.
    const prn = page.locator('.listener-block[data-listener="prn"]');
    const buffer = prn.getByLabel('Keep for it while it is away (bytes)');
    await buffer.fill('10');
    await page.getByRole('button', { name: 'Save settings' }).click();
    await prn
      .locator('.field', { has: page.getByLabel('Keep for it while it is away (bytes)') })
      .locator('.field-error')
      .waitFor();
    await buffer.fill('1048576');
    await prn.getByLabel('Try the real device again after (ms)').fill('5000');
    await page.getByRole('button', { name: 'Save settings' }).click();
    await page.getByText(/^Saved\./).waitFor();

    const saved = JSON.parse(readFileSync(configFile, 'utf8')) as {
      listeners: Array<{ id: string; protocol: string; options?: Record<string, unknown> }>;
    };
    expect(saved.listeners.at(-1)).toMatchObject({
      protocol: 'text',
      options: {
        fields: ['ref', 'command', 'amount', 'currency'],
        answerFields: ['ref', 'status', 'result', 'detail'],
        words: { approved: 'GENEHMIGT', in_doubt: 'UNKLAR' },
      },
    });
    expect(saved.listeners.find((l) => l.id === 'prn')!.options).toMatchObject({
      forwardRetryMs: 5000,
      forwardBufferBytes: 1048576,
    });
    await page.reload();
    await openView('Settings');
    expect(await page.locator('.listener-block').last().getByLabel('Order of the request fields').inputValue()).toBe(
      'ref, command, amount, currency',
    );
    await shoot('settings-text-words');
  });

  it('a Caisse-AP register: port 8888 over the network only; an option out of range is refused next to its field, valid ones are saved', async () => {
    await page.reload();
    await openView('Settings');
    await page.getByRole('button', { name: 'Add a listener' }).click();
    const block = page.locator('.listener-block').last();
    await block.getByLabel('Protocol').selectOption('caisse-ap');
    expect(await block.getByLabel('Port', { exact: true }).inputValue()).toBe('8888');
    expect(await block.getByLabel('Connection').locator('option').allTextContents()).toEqual(['Network (TCP)']);
    const quiet = block.getByLabel('Quiet time that ends a request (ms)');
    await quiet.fill('0');
    await page.getByRole('button', { name: 'Save settings' }).click();
    await block
      .locator('.field', { has: page.getByLabel('Quiet time that ends a request (ms)') })
      .locator('.field-error')
      .waitFor();
    expect(await quiet.getAttribute('aria-invalid')).toBe('true');
    await quiet.fill('');
    await block.getByLabel('Immediate answer (BA=1) status').selectOption('10');
    await block.getByLabel('Hidden card digits shown as').selectOption('*');
    await page.getByRole('button', { name: 'Save settings' }).click();
    await page.getByText(/^Saved\./).waitFor();
    const saved = JSON.parse(readFileSync(configFile, 'utf8')) as { listeners: Array<Record<string, unknown>> };
    expect(saved.listeners.at(-1)).toMatchObject({
      protocol: 'caisse-ap',
      transport: { type: 'tcp', host: '127.0.0.1', port: 8888 },
      options: { immediateStatus: '10', panMask: '*' },
    });
    expect(Object.keys(saved.listeners.at(-1)!.options as object).sort()).toEqual(['immediateStatus', 'panMask']);
    await shoot('settings-caisse-ap');
  });
});
