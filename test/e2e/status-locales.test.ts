/**
 * The status page in the user's language, in real Chromium against the product on loopback (simulated IPP terminal,
 * bridge, native register, status server serving a fresh build): a browser whose language is German, French or
 * Bulgarian gets every view in that language (no English words of the catalogue left), `<html lang>` follows, the
 * picker in Settings switches without a reload and keeps the choice after one, and the pseudo-locale (~40 % longer,
 * accented) overflows nothing at 1024×768 and 800×600. One browser, one context per language.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { parseConfig } from '../../src/config/load';
import { silentLogger } from '../../src/log/logger';
import { StatusCore } from '../../src/status/core';
import { startStatusServer, type StatusServer } from '../../src/status/server';
import { startHarness, type Harness } from '../helpers/bridge-harness';
import type { SecurityEvent } from '../../src/security/events';
import { peerPolicy } from '../../src/security/peers';
import { peerGate } from '../../src/register/auth';
import { buildRenderer } from './build-renderer';
import { launchChromium } from './chromium';
import { openInLocale, SHOTS } from './page';
import { catalogue, flatten } from '../helpers/ui-catalogue';
import { listLocalDevices } from '../../src/status/wizard';
import { NodeHidBackend } from '../../src/transport/hid/backend';
import type { SerialPortInfo } from '../../src/transport/serial/backend';

/**
 * The English words of the catalogue that a page in `lang` must not show: every run of text of an English entry
 * (between placeholders and tags, three letters or more) that no entry of the language's catalogue contains
 * ("Terminal", "TID" or "Register Bridge" are the same in German and stay allowed).
 */
function englishOnly(lang: string): string[] {
  const own = [...flatten(catalogue(lang)).values()].join('\n');
  const out = new Set<string>();
  for (const text of flatten(catalogue('en')).values()) {
    for (const piece of text.split(/\{\{[^}]*\}\}|<[^>]+>/)) {
      const words = piece.replace(/^[^\p{L}]+|[^\p{L}]+$/gu, '');
      if (/\p{L}{3,}/u.test(words) && !own.includes(words)) out.add(words);
    }
  }
  return [...out];
}

const escape = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** The English words found in `shown`, each as a whole word. */
function englishIn(shown: string, english: readonly string[]): string[] {
  return english.filter((w) => new RegExp(`(?<!\\p{L})${escape(w)}(?!\\p{L})`, 'u').test(shown));
}

/**
 * What the page says in its own words: every text node, `aria-label`, `title` and `placeholder`, except what the
 * bridge, the terminal or the register wrote (`data-source="bridge"`: messages, log lines, receipts) and machine
 * values (`pre`, `code`, `.mono`: references, addresses, paths).
 */
function pageWords(page: Page): Promise<string> {
  return page.evaluate(() => {
    const skip = (el: Element | null): boolean =>
      !!el?.closest('[data-source="bridge"], pre, code, .mono, script, style');
    const parts: string[] = [];
    const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
    for (let n = walker.nextNode(); n; n = walker.nextNode())
      if (!skip(n.parentElement) && n.textContent?.trim()) parts.push(n.textContent.trim());
    for (const el of document.querySelectorAll('[aria-label], [title], [placeholder]')) {
      if (skip(el)) continue;
      for (const a of ['aria-label', 'title', 'placeholder']) {
        const v = el.getAttribute(a);
        if (v) parts.push(v);
      }
    }
    return parts.join('\n');
  });
}

/**
 * Text that does not fit: an element with text whose content is wider than its box (cut or spilling), an element
 * beyond the window's edges, or a page wider than the window. Content inside a scroll box (tables, receipts, the
 * log) is reachable by scrolling and not counted.
 */
function overflows(page: Page): Promise<string[]> {
  return page.evaluate(() => {
    const vw = document.documentElement.clientWidth;
    const out: string[] = [];
    const scrolls = (el: Element): boolean => {
      const o = getComputedStyle(el).overflowX;
      return o === 'auto' || o === 'scroll';
    };
    const inScrollBox = (el: Element): boolean => {
      for (let p = el.parentElement; p; p = p.parentElement) if (scrolls(p)) return true;
      return false;
    };
    const name = (el: Element): string =>
      `${el.tagName.toLowerCase()}${el.className && typeof el.className === 'string' ? `.${el.className.split(' ').join('.')}` : ''} "${(el.textContent ?? '').trim().slice(0, 50)}"`;
    if (document.documentElement.scrollWidth > vw + 1)
      out.push(`the page is ${document.documentElement.scrollWidth}px wide in a ${vw}px window`);
    for (const el of document.querySelectorAll('body *')) {
      if (el.closest('.sr-only, .skip-link')) continue;
      const cs = getComputedStyle(el);
      if (cs.display === 'none' || cs.visibility === 'hidden' || cs.display === 'inline' || cs.display === 'contents')
        continue;
      if (![...el.childNodes].some((n) => n.nodeType === Node.TEXT_NODE && n.textContent?.trim())) continue;
      if (scrolls(el) || inScrollBox(el)) continue;
      const r = el.getBoundingClientRect();
      if (r.width === 0 && r.height === 0) continue;
      if (el.scrollWidth > el.clientWidth + 1)
        out.push(`cut: ${name(el)} (${el.scrollWidth}px of text in ${el.clientWidth}px)`);
      if (r.right > vw + 1 || r.left < -1)
        out.push(`outside the window: ${name(el)} (${Math.round(r.left)}–${Math.round(r.right)}px of ${vw}px)`);
    }
    // A drop-down clips its chosen option's text without any overflow to see: measure the text in the same font.
    const probe = document.createElement('span');
    probe.style.cssText = 'position:absolute;visibility:hidden;white-space:pre';
    document.body.append(probe);
    for (const sel of document.querySelectorAll('select')) {
      if (sel.closest('.sr-only') || sel.getBoundingClientRect().width === 0) continue;
      const cs = getComputedStyle(sel);
      probe.style.font = cs.font;
      probe.textContent = sel.selectedOptions[0]?.textContent ?? '';
      // Room for the text: the box without its padding, border and the arrow (about 1.5em).
      const room =
        sel.clientWidth - parseFloat(cs.paddingLeft) - parseFloat(cs.paddingRight) - 1.5 * parseFloat(cs.fontSize);
      if (probe.offsetWidth > room + 1)
        out.push(
          `cut: select "${probe.textContent.slice(0, 50)}" (${probe.offsetWidth}px of text in ${Math.round(room)}px)`,
        );
    }
    probe.remove();
    return out;
  });
}

let h: Harness;
let server: StatusServer;
let core: StatusCore;
let browser: Browser;
let staticDir: string;
let configDir: string;
const problems: string[] = [];
/** The serial ports the set-up wizard's device list finds (none, unless a test plugs one in). */
const serialPorts: SerialPortInfo[] = [];

type View = 'dashboard' | 'journal' | 'reports' | 'setup' | 'settings' | 'golive' | 'logs';

/** The heading each view shows, in `lang`. */
function heading(lang: string, view: View): string {
  const c = flatten(catalogue(lang));
  return view === 'setup' ? c.get('setup.title')! : c.get(`app.view.${view}`)!;
}

async function open(page: Page, lang: string, view: View): Promise<void> {
  await page.locator(`nav [data-view="${view}"]`).click();
  await page.getByRole('heading', { level: 1, name: heading(lang, view), exact: true }).waitFor();
}

/**
 * Visits every view in the states that show the most words (a payment's details with its receipt, each connection
 * of the setup wizard, the settings form with a text listener's options) and calls `look` in each, named.
 */
async function everyView(page: Page, lang: string, look: (state: string) => Promise<void>): Promise<void> {
  await open(page, lang, 'dashboard');
  await page.locator('[data-terminal="lane1"] .badge').waitFor();
  await page.locator('.attention [data-ref="E2E-L-DOUBT"]').waitFor();
  await page.locator('table.results tr[data-ref="E2E-L1"]').waitFor();
  await look('dashboard');
  await open(page, lang, 'journal');
  await page.locator('button[data-details="E2E-L1"]').click();
  await page.locator('section.detail pre[data-copy="customer"]').waitFor();
  await look('journal');
  await open(page, lang, 'reports');
  await page.getByTestId('totals-EUR').waitFor();
  await look('reports');
  await open(page, lang, 'setup');
  for (const link of ['ipp', 'epos', 'usb', 'sim'] as const) {
    await page.locator(`input[type="radio"][value="${link}"]`).check();
    await page.locator('section.step[data-step="2"]').waitFor();
    if (link === 'usb')
      await page.locator('section.step[data-step="2"]').locator('.device-list, .empty').first().waitFor();
    await look(`setup-${link}`);
  }
  await open(page, lang, 'settings');
  await page.locator('.listener-block[data-listener="till"] input[name$=".separator"]').waitFor();
  await look('settings');
  await open(page, lang, 'golive');
  await look('golive');
  await open(page, lang, 'logs');
  await page.locator('table.log, p.empty').first().waitFor();
  await look('logs');
}

beforeAll(async () => {
  [staticDir, h, browser] = await Promise.all([buildRenderer(), startHarness(), launchChromium()]);
  configDir = mkdtempSync(join(tmpdir(), 'rb-e2e-locales-'));
  const configFile = join(configDir, 'config.json');
  const raw = {
    dataDir: h.dataDir,
    listeners: [
      { id: 'pos', protocol: 'native', transport: { type: 'tcp', host: '127.0.0.1', port: 7450 } },
      { id: 'till', protocol: 'text', transport: { type: 'tcp', host: '127.0.0.1', port: 7451 } },
    ],
    terminals: [
      { id: 'lane1', driver: 'ipp', transport: { type: 'tcp', host: '127.0.0.1', port: h.sim.port! }, currency: 'EUR' },
      // A cloud terminal set to Live whose secrets are written in the file: its go-live check fails at the
      // credentials and skips the gateway, so the Go live view has steps to show without any network.
      {
        id: 'cloud',
        driver: 'epos',
        environment: 'live',
        terminalId: '80123457',
        currency: 'EUR',
        partnerId: 'mps-p-0000001',
        applicationId: 'mps-app-0000001',
        partnerClientId: 'client_e2e0001',
        partnerSecret: 'secret_e2e0001',
        merchantClientId: 'cli_e2e0001',
        merchantSecret: 'sec_e2e0001',
      },
    ],
  };
  writeFileSync(configFile, JSON.stringify(raw, null, 2));
  // The set-up wizard's device list through the real discovery with its backends replaced: no serial port and no USB
  // device plugged in, and node-hid that does not load (the operating system's note explains the empty list).
  const noHid = new NodeHidBackend({
    load: () => {
      throw new Error("Cannot find module 'node-hid'");
    },
  });
  const devices = () =>
    listLocalDevices({
      serial: { list: async () => serialPorts, open: () => Promise.reject(new Error('no port in this test')) },
      hid: noHid,
      usb: { devices: async () => [], watch: () => () => undefined },
    });
  core = new StatusCore({
    config: parseConfig(raw),
    configFile,
    log: silentLogger(),
    wizard: { listDevices: devices },
  });
  core.attach(h.service);
  server = await startStatusServer({ core, host: '127.0.0.1', port: 0, staticDir, log: silentLogger() });

  // A finished sale and a payment in doubt: the dashboard, journal and reports have something to say.
  const register = await h.client();
  register.send({ op: 'sale', id: 'l1', ref: 'E2E-L1', amount: 1234, currency: 'EUR' });
  expect((await register.waitFor((m) => m.id === 'l1' && m.type === 'result')).outcome).toBe('approved');
  const j = h.service.journal;
  const r = j.insertIntent({
    register: 'other',
    ref: 'E2E-L-DOUBT',
    kind: 'sale',
    amount: { minor: 500, currency: 'EUR' },
    tip: 0,
    terminal: 'lane1',
  });
  j.update(
    r.id,
    { outcome: 'in_doubt', stage: 'recovering', driverRef: 'sid-l', message: 'The terminal could not tell yet' },
    { type: 'in_doubt' },
  );
}, 120_000);

afterEach(() => {
  expect(problems.splice(0)).toEqual([]);
});

afterAll(async () => {
  await browser?.close();
  await server?.close();
  core?.detach();
  await h?.close();
  if (staticDir) rmSync(staticDir, { recursive: true, force: true });
  if (configDir) rmSync(configDir, { recursive: true, force: true });
});

describe("status page in the browser's language", () => {
  it('the check of English words finds them: a German page with an English heading is caught', () => {
    const english = englishOnly('de');
    expect(english).toContain('Needs attention');
    expect(english).toContain('Save settings');
    // Words German shares with English are allowed.
    expect(english).not.toContain('Terminal');
    expect(english).not.toContain('Register Bridge');
    expect(englishIn('Übersicht\nNeeds attention\nTerminal lane1', english)).toEqual(['Needs attention']);
    expect(englishIn('Übersicht\nBitte prüfen\nTerminal lane1', english)).toEqual([]);
  });

  for (const [locale, lang, amount] of [
    ['de-DE', 'de', '12,34\u00a0EUR'],
    ['fr-FR', 'fr', '12,34\u00a0EUR'],
    ['bg-BG', 'bg', '12,34\u00a0EUR'],
  ] as const) {
    it(`a browser in ${locale} gets every view in ${lang}, with amounts and dates as ${locale} writes them, and the layout holds`, async () => {
      const { context, page } = await openInLocale(browser, server.url, locale, problems, { width: 1024, height: 768 });
      try {
        expect(await page.evaluate(() => document.documentElement.lang)).toBe(lang);
        const english = englishOnly(lang);
        const found: string[] = [];
        const cut: string[] = [];
        await everyView(page, lang, async (state) => {
          for (const w of englishIn(await pageWords(page), english)) found.push(`${state}: "${w}"`);
          for (const o of await overflows(page)) cut.push(`${state}: ${o}`);
          await page.screenshot({ path: join(SHOTS, `locale-${locale}-${state}.png`) });
        });
        expect(found).toEqual([]);
        expect(cut).toEqual([]);
        // Amounts and dates through Intl in the browser's locale.
        await open(page, lang, 'dashboard');
        const row = page.locator('table.results tr[data-ref="E2E-L1"]');
        expect(await row.textContent()).toContain(amount);
        const created = h.service.journal.list({ register: 'pos' })[0]!.createdAt;
        const day = new Intl.DateTimeFormat(locale, { dateStyle: 'medium' }).format(new Date(created));
        expect(await row.locator('td').first().textContent()).toContain(day);
      } finally {
        await context.close();
      }
    }, 120_000);
  }

  it("de-DE: the core's own texts are German too — a terminal's health, a go-live step, a security event, a refusal, payment messages", async () => {
    const de = flatten(catalogue('de'));
    const en = flatten(catalogue('en'));
    const german = (key: string, values: Record<string, string> = {}): string =>
      Object.entries(values).reduce((text, [k, v]) => text.replaceAll(`{{${k}}}`, v), de.get(key)!);
    // A browser's request on the register port: refused, recorded as a security event (the Logs view lists it).
    await fetch(`http://127.0.0.1:${h.port}/`).catch(() => undefined);
    const foreign = (): SecurityEvent | undefined =>
      h.service.security.recent(20).find((e) => e.kind === 'foreign_protocol');
    await expect.poll(foreign).toBeTruthy();
    const englishDetail = foreign()!.detail;
    // A peer a listener's "peers" list does not take: refused by the listener's gate, recorded as a security event.
    const gate = peerGate({
      listener: 'pos',
      peers: peerPolicy(['192.0.2.1'], false),
      log: silentLogger(),
      security: h.service.security,
    });
    expect(gate('tcp 198.51.100.7:40000')).toBe(false);
    const refusedPeer = h.service.security.recent(20).find((e) => e.kind === 'peer_refused')!;
    expect(refusedPeer.detail).toContain('is not allowed by');
    const approvedInEnglish = h.service.journal.list({ register: 'pos' })[0]!.message;
    // A reconciliation of the day: the payment in doubt is listed with its note.
    const recon = await core.reconcile({});
    const doubtNote = recon.inDoubt.find((i) => i.ref === 'E2E-L-DOUBT')!.note;
    expect(doubtNote).toBe(en.get('core.recon.inDoubt'));

    const { context, page } = await openInLocale(browser, server.url, 'de-DE', problems, { width: 1024, height: 768 });
    try {
      // Payment messages: written from outcome and stage, not the journal's English words.
      await open(page, 'de', 'dashboard');
      const approvedRow = page.locator('table.results tr[data-ref="E2E-L1"]');
      await approvedRow.waitFor();
      expect(await approvedRow.textContent()).toContain(de.get('payment.approved'));
      expect(approvedInEnglish).not.toBe('');
      expect(await approvedRow.textContent()).not.toContain(approvedInEnglish);
      const doubtRow = page.locator('table.results tr[data-ref="E2E-L-DOUBT"]');
      expect(await doubtRow.textContent()).toContain(de.get('payment.inDoubt'));
      expect(await doubtRow.textContent()).not.toContain('The terminal could not tell yet');

      await open(page, 'de', 'journal');
      await page.locator('button[data-details="E2E-L1"]').click();
      const detail = page.locator('section.detail');
      await detail.locator('pre[data-copy="customer"]').waitFor();
      expect(await detail.locator('dl.facts').textContent()).toContain(de.get('payment.approved'));
      expect(await detail.locator('dl.facts').textContent()).not.toContain(approvedInEnglish);

      // A terminal's health message (the IPP driver's, through the setup wizard's check), then a refusal.
      await open(page, 'de', 'setup');
      await page.locator('input[type="radio"][value="ipp"]').check();
      await page.locator('input[name="ipp-host"]').fill('127.0.0.1');
      await page.locator('input[name="ipp-port"]').fill(String(h.sim.port));
      await page.locator('section.step[data-step="2"] button[type="submit"]').click();
      const ping = page.getByTestId('ipp-ping-result');
      await ping.waitFor();
      const health = (await ping.textContent()) ?? '';
      expect(health).toContain(german('core.health.online'));
      expect(health).toMatch(new RegExp(`${escape(german('core.health.tid', { tid: '' }))}\\d+`));
      expect(health).not.toContain(en.get('core.health.online'));
      await page.locator('input[name="ipp-port"]').fill('0');
      await page.locator('section.step[data-step="2"] button[type="submit"]').click();
      const refusal = page.locator('section.step[data-step="2"] .error-note');
      await refusal.waitFor();
      expect(await refusal.textContent()).toBe(de.get('core.problem.ippPort'));
      // Chromium reports the refused request (400) on its console; that one is expected here.
      const expected = /Failed to load resource: the server responded with a status of 400/;
      problems.splice(0, problems.length, ...problems.filter((p) => !expected.test(p)));
      await page.screenshot({ path: join(SHOTS, 'locale-de-DE-core-setup.png') });

      // A go-live step and its fix.
      await open(page, 'de', 'golive');
      await page.locator('button', { hasText: de.get('golive.check')! }).click();
      const steps = page.locator('ul.checks');
      await steps.waitFor();
      const stepText = (await steps.textContent()) ?? '';
      expect(stepText).toContain(german('core.golive.plainBoth', { first: 'partnerSecret', second: 'merchantSecret' }));
      expect(stepText).toContain(de.get('core.golive.notChecked'));
      expect(stepText).toContain(de.get('core.golive.storageOk'));
      for (const english of ['core.golive.plainBoth', 'core.golive.notChecked', 'core.golive.storageOk'])
        expect(stepText).not.toContain(
          en
            .get(english)!
            .replace(/\{\{[^}]+\}\}/g, '')
            .slice(0, 30),
        );
      await page.screenshot({ path: join(SHOTS, 'locale-de-DE-core-golive.png') });

      // A security event's detail on the Logs view.
      await open(page, 'de', 'logs');
      const events = page.locator('table', { has: page.locator('td', { hasText: 'Kassenport' }) });
      await events.waitFor();
      const eventText = (await events.textContent()) ?? '';
      expect(eventText).toContain(german('core.security.foreignProtocol', { what: '' }).trim());
      expect(eventText).not.toContain(englishDetail);
      expect(englishDetail).toContain('refused on a register port');
      expect(eventText).toContain(
        german('core.security.peerNotListed', { address: '198.51.100.7', peers: '192.0.2.1' }),
      );
      expect(eventText).not.toContain(refusedPeer.detail);
      await page.screenshot({ path: join(SHOTS, 'locale-de-DE-core-logs.png') });

      // A reconciliation difference's note on the Reports view.
      await open(page, 'de', 'reports');
      const doubtItem = page.getByTestId('reconciliation').locator('tr[data-ref="E2E-L-DOUBT"]');
      await doubtItem.waitFor();
      expect(await doubtItem.textContent()).toContain(de.get('core.recon.inDoubt'));
      expect(await doubtItem.textContent()).not.toContain(doubtNote);

      // None of these German texts is left to the bridge's own words.
      expect(await page.locator('[data-source="bridge"]', { hasText: 'Kassenport' }).count()).toBe(0);
    } finally {
      await context.close();
    }
  }, 120_000);

  it("de-DE: the device list's note, the settings' problems and warnings and the journal status are German, not English", async () => {
    const de = flatten(catalogue('de'));
    const en = flatten(catalogue('en'));
    const fill = (map: Map<string, string>, key: string, values: Record<string, string> = {}): string =>
      Object.entries(values).reduce((text, [k, v]) => text.replaceAll(`{{${k}}}`, v), map.get(key)!);
    const german = (key: string, values?: Record<string, string>): string => fill(de, key, values);
    const english = (key: string, values?: Record<string, string>): string => fill(en, key, values);
    const { context, page } = await openInLocale(browser, server.url, 'de-DE', problems, { width: 1024, height: 768 });
    try {
      // The empty device list: nothing found where the discovery could look, and why HID devices could not be read.
      await open(page, 'de', 'setup');
      await page.locator('input[type="radio"][value="usb"]').check();
      const note = page.locator('section.step[data-step="2"] p.hint').last();
      await note.waitFor();
      const error = "Cannot find module 'node-hid'";
      expect(await note.textContent()).toBe(
        `${german('core.devices.noneFound.serialUsb')} ${german('core.devices.hidLibrary', { error })}`,
      );
      expect(await note.getAttribute('data-source')).toBeNull();
      const noteText = (await note.textContent()) ?? '';
      for (const words of ['No serial ports', 'devices found', 'cannot be used on this computer', 'did not load'])
        expect(noteText).not.toContain(words);
      // The English note is still there for API consumers; the page does not show it.
      const list = await core.devices();
      expect(list.note).toBe(
        `${english('core.devices.noneFound.serialUsb')} ${english('core.devices.hidLibrary', { error })}`,
      );
      expect(noteText).not.toContain(list.note!);
      await page.screenshot({ path: join(SHOTS, 'locale-de-DE-device-note.png') });
      // A myPOS terminal plugged in: its line keeps the device's names and writes the bridge's labels in German.
      serialPorts.push({
        path: '/dev/ttyACM0',
        manufacturer: 'Nexgo',
        serialNumber: 'N86-0001',
        vendorId: 0x294a,
        productId: 0x3101,
      });
      try {
        await page.locator('section.step[data-step="2"] button', { hasText: german('setup.usb.again') }).click();
        const line = page.locator('.device-list li');
        await line.waitFor();
        const parts = [
          german('core.devices.part.myPosTerminal', { maker: 'Nexgo' }),
          'Nexgo',
          german('core.devices.part.serialNumber', { serial: 'N86-0001' }),
          german('core.devices.part.usbId', { id: '294A:3101' }),
        ];
        expect(await line.textContent()).toContain(`${parts.join(', ')} ${german('core.devices.looksMyPos')}`);
        for (const words of ['serial number', 'looks like', 'myPOS terminal'])
          expect(await line.textContent()).not.toContain(words);
      } finally {
        serialPorts.splice(0);
      }

      // Settings: the plain-text secrets' warnings, then a field out of range and a port two listeners share.
      await open(page, 'de', 'settings');
      const warnings = page.locator('.banner-warn li');
      await warnings.first().waitFor();
      const warningText = (await warnings.allTextContents()).join('\n');
      expect(warningText).toContain(german('core.config.plainSecret', { field: 'terminals[1].partnerSecret' }));
      expect(warningText).toContain(german('core.config.plainSecret', { field: 'terminals[1].merchantSecret' }));
      expect(warningText).not.toContain('is written in plain text');
      expect(warningText).not.toContain('so that the secret is not stored');
      const port = page.locator('input[name="listeners[1].transport.port"]');
      const portError = page.locator('.field:has(input[name="listeners[1].transport.port"]) .field-error');
      await port.fill('70000');
      await expect.poll(() => portError.textContent()).toBe(german('core.config.issue.atMost', { maximum: '65535' }));
      await port.fill('7450');
      await expect.poll(() => portError.textContent()).toBe(german('core.config.portUsed', { port: '7450' }));
      const portText = (await portError.textContent()) ?? '';
      for (const words of ['must be', 'already used by another listener', '0–65535'])
        expect(portText).not.toContain(words);
      await page.screenshot({ path: join(SHOTS, 'locale-de-DE-settings-problems.png') });
      await port.fill('7451');
      await expect.poll(() => portError.count()).toBe(0);

      // Reports: a payment still open in the journal, in the reconciliation's journal column.
      await core.reconcile({});
      await open(page, 'de', 'reports');
      const status = page.getByTestId('reconciliation').locator('tr[data-ref="E2E-L-DOUBT"] td:nth-child(3)');
      await status.waitFor();
      const statusText = (await status.textContent()) ?? '';
      expect(statusText).toContain(german('reports.journalStatus.open'));
      expect(statusText).not.toMatch(/\bopen\b/i);
    } finally {
      await context.close();
    }
  }, 120_000);

  it('the picker in Settings switches the language without a reload and keeps it after one', async () => {
    const { context, page } = await openInLocale(browser, server.url, 'en-US', problems);
    try {
      expect(await page.evaluate(() => document.documentElement.lang)).toBe('en');
      await open(page, 'en', 'settings');
      await page.evaluate(() => ((window as unknown as { samePage: boolean }).samePage = true));
      const picker = page.getByTestId('language-picker').locator('select');
      // Each language is offered in its own words; the pseudo-locale only in a development build.
      expect(await picker.locator('option').allTextContents()).toEqual([
        'English',
        'Deutsch',
        'Français',
        'Italiano',
        'Español',
        'Български',
      ]);
      await picker.selectOption('de');
      await page.getByRole('heading', { level: 1, name: 'Einstellungen', exact: true }).waitFor();
      expect(await page.evaluate(() => document.documentElement.lang)).toBe('de');
      expect(await page.locator('nav [data-view="dashboard"]').textContent()).toBe('Übersicht');
      // No reload happened: the page's own state is still there.
      expect(await page.evaluate(() => (window as unknown as { samePage?: boolean }).samePage)).toBe(true);
      await page.screenshot({ path: join(SHOTS, 'locale-picker-de.png') });

      await page.reload();
      await page.getByRole('heading', { level: 1, name: 'Einstellungen', exact: true }).waitFor();
      expect(await page.evaluate(() => document.documentElement.lang)).toBe('de');
      expect(await page.getByTestId('language-picker').locator('select').inputValue()).toBe('de');

      // And back, also remembered.
      await page.getByTestId('language-picker').locator('select').selectOption('en');
      await page.getByRole('heading', { level: 1, name: 'Settings', exact: true }).waitFor();
      await page.reload();
      await page.getByRole('heading', { level: 1, name: 'Settings', exact: true }).waitFor();
      expect(await page.evaluate(() => document.documentElement.lang)).toBe('en');
    } finally {
      await context.close();
    }
  });

  it('the pseudo-locale (accented, ~40 % longer) overflows nothing at 1024×768 and 800×600', async () => {
    const context = await browser.newContext({ viewport: { width: 1024, height: 768 }, locale: 'en-US' });
    // As the picker of a development build stores it.
    await context.addInitScript(() => localStorage.setItem('register-bridge-language', 'en-XA'));
    const page = await context.newPage();
    page.on('pageerror', (e) => problems.push(`en-XA page error: ${e.message}`));
    page.on('console', (m) => m.type() === 'error' && problems.push(`en-XA console error: ${m.text()}`));
    try {
      await page.goto(server.url);
      await page.locator('[data-testid="link-state"][data-up="true"]').waitFor();
      expect(await page.evaluate(() => document.documentElement.lang)).toBe('en-XA');
      const pseudoHeading = async (view: View): Promise<string> =>
        (await page.locator(`nav [data-view="${view}"]`).textContent()) ?? '';
      // Every text is the pseudo-locale's: accented, in brackets, longer than English.
      const dash = await pseudoHeading('dashboard');
      expect(dash).toMatch(/^\[Ðá+šĥƀó+á+ŕð/);
      expect(dash.length).toBeGreaterThanOrEqual(Math.ceil('Dashboard'.length * 1.4));
      const found: string[] = [];
      // `open` waits for the heading by name: in the pseudo-locale that is the navigation button's own text.
      const pseudoOpen = async (view: View): Promise<void> => {
        const name = view === 'setup' ? undefined : await pseudoHeading(view);
        await page.locator(`nav [data-view="${view}"]`).click();
        await page
          .locator('main h1')
          .filter(name ? { hasText: name } : {})
          .first()
          .waitFor();
      };
      const look = async (state: string): Promise<void> => {
        for (const size of [
          { width: 1024, height: 768 },
          { width: 800, height: 600 },
        ]) {
          await page.setViewportSize(size);
          for (const o of await overflows(page)) found.push(`${state} at ${size.width}×${size.height}: ${o}`);
          await page.screenshot({ path: join(SHOTS, `locale-en-XA-${state}-${size.width}x${size.height}.png`) });
        }
        await page.setViewportSize({ width: 1024, height: 768 });
      };
      await pseudoOpen('dashboard');
      await page.locator('.attention [data-ref="E2E-L-DOUBT"]').waitFor();
      await look('dashboard');
      await pseudoOpen('journal');
      await page.locator('button[data-details="E2E-L1"]').click();
      await page.locator('section.detail pre[data-copy="customer"]').waitFor();
      await look('journal');
      await pseudoOpen('reports');
      await page.getByTestId('totals-EUR').waitFor();
      await look('reports');
      await pseudoOpen('setup');
      for (const link of ['ipp', 'epos', 'usb', 'sim'] as const) {
        await page.locator(`input[type="radio"][value="${link}"]`).check();
        await page.locator('section.step[data-step="2"]').waitFor();
        await look(`setup-${link}`);
      }
      await pseudoOpen('settings');
      await page.locator('.listener-block[data-listener="till"] input[name$=".separator"]').waitFor();
      await look('settings');
      await pseudoOpen('golive');
      await look('golive');
      await pseudoOpen('logs');
      await look('logs');
      expect(found).toEqual([]);
    } finally {
      await context.close();
    }
  }, 120_000);
});
