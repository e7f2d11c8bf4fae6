/**
 * `epos check` against the fake gateway: plain words for what works and what is missing.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { AuthRegistry } from '../../src/terminal/epos/auth';
import { ManualClock } from '../../src/terminal/epos/clock';
import { createEposDriver } from '../../src/terminal/epos/index';
import { demoEposTerminal, startEposDemo } from '../../src/terminal/simulator/epos-demo';
import { runEposCheck } from '../../src/terminal/epos/check';
import { eposTerminalSchema, type EposTerminalConfig } from '../../src/terminal/epos/config';
import { DEMO_EPOS, FakeEposGateway, type FakeEposGatewayOptions } from '../../src/terminal/simulator/epos-gateway';

let g: FakeEposGateway | undefined;
afterEach(async () => {
  await g?.close();
  g = undefined;
});

async function gateway(options: FakeEposGatewayOptions = {}): Promise<string> {
  g = new FakeEposGateway(options);
  return g.start();
}

function config(url: string, extra: Record<string, unknown> = {}): EposTerminalConfig {
  return eposTerminalSchema.parse(
    demoEposTerminal(url, {
      id: 'shop',
      currency: 'EUR',
      partnerSecret: { env: 'T_PARTNER_SECRET' },
      merchantSecret: { env: 'T_MERCHANT_SECRET' },
      ...extra,
    }),
  );
}

const env = { T_PARTNER_SECRET: DEMO_EPOS.partnerSecret, T_MERCHANT_SECRET: DEMO_EPOS.merchantSecret };
const deps = { secrets: { env } };

describe('runEposCheck', () => {
  it('reports every step as working for a correct setup', async () => {
    const r = await runEposCheck(config(await gateway()), deps);
    expect(r.ok).toBe(true);
    const text = r.lines.join('\n');
    expect(text).toMatch(/\[ok\] +Partner credentials accepted/);
    expect(text).toMatch(/\[ok\] +Merchant credentials accepted/);
    expect(text).toMatch(/\[ok\] +Terminal 80123457 is listed \(model N96 = myPOS Ultra\)/);
    expect(text).toMatch(/\[ok\] +Terminal 80123457 is Active/);
    expect(text).toMatch(/\[ok\] +Currency EUR/);
    expect(text).toMatch(/No payment was tried/);
    expect(text).toMatch(/POSLink Manager/);
    expect(g!.payments()).toHaveLength(0);
    expect(text).not.toContain(DEMO_EPOS.partnerSecret);
    expect(text).not.toContain(DEMO_EPOS.merchantSecret);
  });

  it('names wrong partner credentials with a Demo/Live hint', async () => {
    const url = await gateway();
    const r = await runEposCheck(config(url), { secrets: { env: { ...env, T_PARTNER_SECRET: 'secret_wrong' } } });
    expect(r.ok).toBe(false);
    const text = r.lines.join('\n');
    expect(text).toMatch(/\[fail\] Partner credentials refused/);
    expect(text).toMatch(/Demo Partner Portal \(demo-partners\.mypos\.com\)/);
    expect(text).not.toContain('secret_wrong');
    const live = await runEposCheck(config(url, { environment: 'live' }), {
      secrets: { env: { ...env, T_PARTNER_SECRET: 'secret_wrong' } },
    });
    expect(live.lines.join('\n')).toMatch(/Demo credentials are not migrated to Live/);
  });

  it('names wrong merchant credentials', async () => {
    const r = await runEposCheck(config(await gateway()), {
      secrets: { env: { ...env, T_MERCHANT_SECRET: 'sec_wrong' } },
    });
    expect(r.ok).toBe(false);
    expect(r.lines.join('\n')).toMatch(/\[fail\] Merchant credentials refused.*\n.*Merchants tab/);
  });

  it('says when the merchant has no terminals, or not the configured one', async () => {
    const none = await runEposCheck(config(await gateway({ terminals: [] })), deps);
    expect(none.ok).toBe(false);
    expect(none.lines.join('\n')).toMatch(/\[fail\] The merchant has no terminals/);
    await g!.close();
    const url = await gateway({
      terminals: [{ terminalId: '80000011', merchant: DEMO_EPOS.merchantClientId, currency: 'EUR', model: 'N96' }],
    });
    const other = await runEposCheck(config(url), deps);
    expect(other.ok).toBe(false);
    expect(other.lines.join('\n')).toMatch(
      /\[fail\] Terminal 80123457 is not among this merchant's terminals: 80000011 \(N96\)/,
    );
    const otherLive = await runEposCheck(config(url, { environment: 'live' }), deps);
    expect(otherLive.lines.join('\n')).toMatch(/set "environment": "demo"/);
  });

  it('flags a terminal that is not Active or has another currency', async () => {
    const url = await gateway({
      terminals: [
        {
          terminalId: DEMO_EPOS.terminalId,
          merchant: DEMO_EPOS.merchantClientId,
          currency: 'BGN',
          status: 'Deactive',
          forbiddenRefund: true,
        },
      ],
    });
    const r = await runEposCheck(config(url), deps);
    expect(r.ok).toBe(false);
    const text = r.lines.join('\n');
    expect(text).toMatch(/account status Deactive/);
    expect(text).toMatch(/currency is BGN but the configuration says EUR/);
    expect(text).toMatch(/\[warn\] Refunds are disabled/);
  });

  it('names an unset secret variable and warns about plain secrets', async () => {
    const url = await gateway();
    const r = await runEposCheck(config(url), { secrets: { env: {} } });
    expect(r.ok).toBe(false);
    expect(r.lines.join('\n')).toMatch(/\[fail\] .*T_PARTNER_SECRET.*not set/);
    const plain = await runEposCheck(
      config(url, { partnerSecret: DEMO_EPOS.partnerSecret, merchantSecret: DEMO_EPOS.merchantSecret }),
      { secrets: { env: {} } },
    );
    expect(plain.ok).toBe(true);
    expect(plain.lines.filter((l) => l.startsWith('[warn]') && l.includes('plain text'))).toHaveLength(2);
  });

  it('says when the gateway cannot be reached', async () => {
    const url = await gateway();
    await g!.close();
    g = undefined;
    const r = await runEposCheck(config(url), { ...deps, clock: new ManualClock() });
    expect(r.ok).toBe(false);
    expect(r.lines.join('\n')).toMatch(/\[fail\] Cannot reach the myPOS gateway at http:\/\/127\.0\.0\.1:\d+/);
  });
});

describe('ePOS demo mode', () => {
  it('starts the fake gateway with a terminal entry that the real driver and check work against', async () => {
    const demo = await startEposDemo('demo', { approveDelayMs: 0 });
    try {
      expect((await runEposCheck(demo.config, { secrets: { env: {} } })).ok).toBe(true);
      const driver = createEposDriver(demo.config, {
        secrets: { env: {} },
        auth: new AuthRegistry(),
        clock: new ManualClock(),
      });
      const o = await driver.execute(
        { kind: 'sale', amount: { minor: 1234, currency: 'EUR' }, reference: 'DEMO-1' },
        { signal: new AbortController().signal, stage: () => undefined, beforeSend: async () => undefined },
      );
      expect(o.outcome).toBe('approved');
      expect(driver.info.link).toMatch(/myPOS API Gateway \(demo via http:\/\/127\.0\.0\.1:\d+\), terminal 80123457/);
    } finally {
      await demo.close();
    }
  });
});
