/**
 * A hostile web page in a real Chromium (Debian's, through playwright-core), served from another origin, attacks
 * the register ports on loopback the way any page the cashier opens could: `fetch(…, {method: 'POST', mode:
 * 'no-cors', body})` and form posts against the native, text and ZVT listeners, with bodies carrying a refund, a sale,
 * a ZVT Reversal (06 30) behind padding, an End-of-Day (06 50) and a Registration (06 00). The simulated terminal's
 * ledger and the journal stay empty, every connection is closed at its first bytes (a security event each), the ZVT
 * listener's registration is untouched, and a genuine sale right after is approved.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startAttackStack, type AttackStack } from '../helpers/attack';
import { NativeClient } from '../helpers/native-client';
import { launchChromium } from './chromium';

let stack: AttackStack;
let browser: Browser;
let site: Server;
let siteUrl: string;

beforeAll(async () => {
  stack = await startAttackStack();
  // The attacker's site: any origin other than the bridge's (here "localhost" on another port).
  site = createServer((_req, res) => {
    res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8' });
    res.end('<!doctype html><title>A page the cashier opened</title><iframe name="sink"></iframe>');
  });
  await new Promise<void>((r) => site.listen(0, '127.0.0.1', () => r()));
  siteUrl = `http://localhost:${(site.address() as AddressInfo).port}/`;
  browser = await launchChromium();
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await new Promise<void>((r) => (site ? site.close(() => r()) : r()));
  await stack?.close();
});

/** Bodies per listener, as the page builds them (ZVT as bytes: padding, then the APDUs). */
const BODIES = {
  native: [
    '{"op":"refund","id":"r1","ref":"WEB-REFUND","amount":4242,"currency":"EUR"}\n',
    '{"op":"sale","id":"s1","ref":"WEB-SALE","amount":4242,"currency":"EUR"}\n',
  ],
  text: ['REFUND;WEB-REFUND;42.42;EUR\r\n', 'SALE;WEB-SALE;42.42;EUR\r\n'],
  zvt: [
    // Reversal of receipt 0001, End-of-Day, Registration — each behind 300 bytes of padding, as in the attack run.
    [...Array(300).fill(0x00), 0x06, 0x30, 0x06, 0x00, 0x00, 0x00, 0x87, 0x00, 0x01],
    [...Array(300).fill(0x00), 0x06, 0x50, 0x03, 0x00, 0x00, 0x00],
    [...Array(300).fill(0x00), 0x06, 0x00, 0x06, 0x00, 0x00, 0x00, 0x08, 0x09, 0x78],
  ],
};

describe('a web page against the register ports (real Chromium)', () => {
  it('fetch no-cors and form posts carrying refunds, sales, a ZVT reversal, End-of-Day and Registration run nothing', async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    await page.goto(siteUrl);
    const targets = { native: stack.ports.native, text: stack.ports.text, zvt: stack.ports.zvt };
    const before = stack.service.security.recent().length;

    const outcomes = await page.evaluate(
      async ({ targets, bodies }) => {
        const out: string[] = [];
        const post = async (port: number, body: BodyInit): Promise<string> => {
          try {
            await fetch(`http://127.0.0.1:${port}/pay`, { method: 'POST', mode: 'no-cors', body });
            return 'answered';
          } catch {
            return 'failed';
          }
        };
        for (const body of bodies.native) out.push(`native fetch ${await post(targets.native, body)}`);
        for (const body of bodies.text) out.push(`text fetch ${await post(targets.text, body)}`);
        for (const bytes of bodies.zvt)
          out.push(`zvt fetch ${await post(targets.zvt, new Blob([new Uint8Array(bytes)]))}`);
        // Form posts (text/plain: the body is "name=value"), into the iframe so the page stays.
        const formPost = (port: number, value: string): Promise<void> =>
          new Promise((resolve) => {
            const frame = document.querySelector('iframe')!;
            const form = document.createElement('form');
            form.method = 'POST';
            form.action = `http://127.0.0.1:${port}/`;
            form.enctype = 'text/plain';
            form.target = 'sink';
            const input = document.createElement('input');
            input.name = 'x';
            input.value = value;
            form.append(input);
            document.body.append(form);
            frame.addEventListener('load', () => resolve(), { once: true });
            setTimeout(resolve, 3000);
            form.submit();
            form.remove();
          });
        await formPost(targets.native, `\n${bodies.native[0]}`);
        await formPost(targets.text, `\r\n${bodies.text[1]}`);
        await formPost(targets.zvt, String.fromCharCode(...bodies.zvt[0]!));
        out.push('forms sent');
        return out;
      },
      { targets, bodies: BODIES },
    );
    await context.close();

    // No request got an HTTP answer: each connection was closed at its first bytes.
    expect(outcomes.filter((o) => o.endsWith('answered'))).toEqual([]);
    expect(stack.sim.ledger()).toEqual([]);
    expect(stack.service.journal.list({})).toEqual([]);
    const zvtListener = stack.service.listeners.find((l) => l.protocol === 'zvt')!.id;
    expect(stack.service.registers.zvt.of(zvtListener).registered).toBe(false);
    const refused = stack.service.security.recent().slice(0, stack.service.security.recent().length - before);
    const attempts = BODIES.native.length + BODIES.text.length + BODIES.zvt.length + 3;
    expect(refused.filter((e) => e.kind === 'foreign_protocol').length).toBeGreaterThanOrEqual(attempts);
    expect(refused.every((e) => e.kind === 'foreign_protocol' && /HTTP request \(POST\)/.test(e.detail))).toBe(true);

    // A genuine register right after: approved.
    const till = await NativeClient.open(stack.ports.native);
    till.send({ op: 'sale', id: 1, ref: 'REAL-AFTER-ATTACK', amount: 1250, currency: 'EUR' });
    expect(await till.waitFor((m) => m.type === 'result')).toMatchObject({
      outcome: 'approved',
      ref: 'REAL-AFTER-ATTACK',
    });
    till.close();
  }, 90_000);
});
