/**
 * The go-live check against the fake gateway standing in for myPOS's Live environment: a passing run, and each
 * failing step with its reason and its fix — Demo environment, no usable Live credentials, token refused, no
 * merchant approval, terminal not in the merchant's list, clock skew, unfinished Demo payments — and the command.
 */
import { execFile } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { afterEach, describe, expect, it } from 'vitest';
import type { PaymentRecord } from '../../src/journal/journal';
import { runGoLiveCheck, type GoLiveDeps, type GoLiveReport } from '../../src/ops/go-live';
import { eposTerminalSchema, type EposTerminalConfig } from '../../src/terminal/epos/config';
import { DEMO_EPOS, FakeEposGateway } from '../../src/terminal/simulator/epos-gateway';
import { tempDirs } from '../helpers/temp-dirs';

const BIN = resolve(import.meta.dirname, '..', '..', 'bin', 'register-bridge.mjs');
const run = promisify(execFile);
const tmp = tempDirs('rb-go-live-');
const stops: Array<() => Promise<unknown>> = [];
afterEach(async () => {
  for (const s of stops.splice(0).reverse()) await s();
});

const ENV = { RB_PARTNER_SECRET: DEMO_EPOS.partnerSecret, RB_MERCHANT_SECRET: DEMO_EPOS.merchantSecret };

async function gateway(): Promise<string> {
  const g = new FakeEposGateway({});
  const url = await g.start();
  stops.push(() => g.close());
  return url;
}

function terminal(url: string, over: Partial<Record<keyof EposTerminalConfig, unknown>> = {}): EposTerminalConfig {
  return eposTerminalSchema.parse({
    id: 'cloud',
    driver: 'epos',
    environment: 'live',
    gatewayUrl: url,
    terminalId: DEMO_EPOS.terminalId,
    partnerId: DEMO_EPOS.partnerId,
    applicationId: DEMO_EPOS.applicationId,
    partnerClientId: DEMO_EPOS.partnerClientId,
    partnerSecret: { env: 'RB_PARTNER_SECRET' },
    merchantClientId: DEMO_EPOS.merchantClientId,
    merchantSecret: { env: 'RB_MERCHANT_SECRET' },
    ...over,
  });
}

function deps(over: Partial<GoLiveDeps> = {}): GoLiveDeps {
  const dir = tmp();
  return {
    secrets: { env: ENV },
    dataDir: dir,
    logFile: join(dir, 'logs', 'register-bridge.log'),
    openPayments: () => [],
    timeoutMs: 5000,
    ...over,
  };
}

function step(r: GoLiveReport, id: string): { status: string; text: string; fix?: string } {
  return r.steps.find((s) => s.id === id)!;
}

describe('go-live check', () => {
  it('passes every step for a Live terminal with working credentials', async () => {
    const r = await runGoLiveCheck(terminal(await gateway()), deps());
    expect(r.steps.map((s) => `${s.id}:${s.status}`)).toEqual([
      'environment:ok',
      'credentials:ok',
      'token:ok',
      'merchant:ok',
      'terminal:ok',
      'clock:ok',
      'storage:ok',
      'demo_payments:ok',
    ]);
    expect(r.ready).toBe(true);
  });

  it('a Demo terminal: says nothing carries over and skips the gateway', async () => {
    const r = await runGoLiveCheck(terminal(await gateway(), { environment: 'demo' }), deps());
    expect(r.ready).toBe(false);
    expect(step(r, 'environment')).toMatchObject({ status: 'fail', text: expect.stringMatching(/Demo environment/) });
    expect(step(r, 'environment').fix).toMatch(/nothing carries over/);
    expect(step(r, 'token').status).toBe('skip');
  });

  it('no live credentials: secrets written in the config, or an environment variable that is not set', async () => {
    const url = await gateway();
    const plain = await runGoLiveCheck(terminal(url, { partnerSecret: DEMO_EPOS.partnerSecret }), deps());
    expect(step(plain, 'credentials')).toMatchObject({
      status: 'fail',
      text: expect.stringMatching(/partnerSecret is written in the config file in plain text/),
    });
    expect(step(plain, 'credentials').fix).toMatch(/keychain/);
    const missing = await runGoLiveCheck(terminal(url), deps({ secrets: { env: {} } }));
    expect(step(missing, 'credentials')).toMatchObject({
      status: 'fail',
      text: expect.stringMatching(/RB_PARTNER_SECRET/),
    });
    expect(missing.ready).toBe(false);
  });

  it('token refused by the gateway', async () => {
    const r = await runGoLiveCheck(
      terminal(await gateway()),
      deps({ secrets: { env: { ...ENV, RB_PARTNER_SECRET: 'secret_wrong' } } }),
    );
    expect(step(r, 'token')).toMatchObject({
      status: 'fail',
      text: expect.stringMatching(/refused the partner credentials \(40[01]/),
    });
    expect(step(r, 'token').fix).toMatch(/Demo credentials do not work on Live/);
    expect(step(r, 'merchant').status).toBe('skip');
  });

  it('no merchant approval: no Live session for the merchant', async () => {
    const r = await runGoLiveCheck(terminal(await gateway(), { merchantClientId: 'cli_not_approved' }), deps());
    expect(step(r, 'token').status).toBe('ok');
    expect(step(r, 'merchant')).toMatchObject({
      status: 'fail',
      text: expect.stringMatching(/No Live session for the merchant/),
    });
    expect(step(r, 'merchant').fix).toMatch(/approve/);
  });

  it('terminal not among the merchant’s Live terminals', async () => {
    const r = await runGoLiveCheck(terminal(await gateway(), { terminalId: '99999999' }), deps());
    expect(step(r, 'terminal')).toMatchObject({
      status: 'fail',
      text: expect.stringMatching(new RegExp(`99999999 is not among .*${DEMO_EPOS.terminalId}`)),
    });
    expect(step(r, 'terminal').fix).toMatch(/TID/);
    expect(r.ready).toBe(false);
  });

  it('clock skew beyond the tolerance', async () => {
    const r = await runGoLiveCheck(terminal(await gateway()), deps({ now: () => Date.now() + 10 * 60_000 }));
    expect(step(r, 'clock')).toMatchObject({
      status: 'fail',
      text: expect.stringMatching(/ahead of the myPOS gateway/),
    });
    expect(step(r, 'clock').fix).toMatch(/automatic time/);
    expect(r.ready).toBe(false);
  });

  it('unfinished Demo payments on the terminal', async () => {
    const open = [{ ref: 'D-1' }, { ref: 'D-2' }] as unknown as PaymentRecord[];
    const r = await runGoLiveCheck(
      terminal(await gateway()),
      deps({ openPayments: (t, env) => (t === 'cloud' && env === 'demo' ? open : []) }),
    );
    expect(step(r, 'demo_payments')).toMatchObject({
      status: 'fail',
      text: '2 Demo payments are not finished on this terminal: D-1, D-2',
    });
    expect(r.ready).toBe(false);
  });

  it('register-bridge go-live prints each step and exits 0 when ready, 1 when not', async () => {
    const url = await gateway();
    const dir = tmp();
    const cfg = (over: Record<string, unknown>): string => {
      const file = join(dir, `config-${Object.keys(over).join('-') || 'ok'}.json`);
      writeFileSync(
        file,
        JSON.stringify({
          dataDir: dir,
          listeners: [{ id: 'pos', protocol: 'native', transport: { type: 'tcp', host: '127.0.0.1', port: 7450 } }],
          terminals: [{ ...terminal(url), ...over }],
          status: { enabled: false },
        }),
      );
      return file;
    };
    const env = { ...process.env, ...ENV };
    const ok = await run(process.execPath, [BIN, 'go-live', '--config', cfg({})], { env, timeout: 60_000 });
    expect(ok.stdout).toMatch(/Ready for Live payments\./);
    const bad = await run(process.execPath, [BIN, 'go-live', '--config', cfg({ terminalId: '99999999' })], {
      env,
      timeout: 60_000,
    }).catch((e: { code: number; stdout: string }) => e);
    expect((bad as { code: number }).code).toBe(1);
    expect((bad as { stdout: string }).stdout).toMatch(/FAIL {2}Terminal 99999999 is not among[\s\S]*→ Enter the TID/);
  });
});
