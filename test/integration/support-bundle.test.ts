/**
 * `register-bridge support-bundle`: a zip with versions, the config without its secrets, the doctor's report, the
 * last log lines, journal statistics and devices. Made after real payments with secrets written in the config in
 * plain text and card data planted in the log file: no file of the bundle holds a secret value, a card number or
 * track data.
 */
import { execFile } from 'node:child_process';
import { connect } from 'node:net';
import { appendFileSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { afterEach, describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config/load';
import { createLogger, logOutputs } from '../../src/log/logger';
import { startService } from '../../src/service';
import { IppSimulator } from '../../src/terminal/simulator/ipp-simulator';
import { NativeClient } from '../helpers/native-client';
import { tempDirs } from '../helpers/temp-dirs';
import { forbiddenIn, unzipAll } from '../helpers/zip-scan';

const BIN = resolve(import.meta.dirname, '..', '..', 'bin', 'register-bridge.mjs');
const run = promisify(execFile);
const tmp = tempDirs('rb-bundle-');
const stops: Array<() => Promise<unknown> | void> = [];
afterEach(async () => {
  for (const s of stops.splice(0).reverse()) await s();
});

const PLAIN_SECRETS = {
  status: 'StatusTokenPlain-7f3a9c2e41b04d8e9a61',
  ipp: '928374',
};
/** A card number and track data as a careless line might carry them (the bundle must scrub them again). */
const CARD = '4111111111111111';

/** A data folder with a config holding secrets in plain text, a journal with payments, and a log file. */
async function dataDirWithPayments(dir: string): Promise<{ configFile: string; logFile: string }> {
  const sim = new IppSimulator({ fast: true });
  const simPort = await sim.listen({ host: '127.0.0.1', port: 0 });
  stops.push(() => sim.close());
  const raw = {
    dataDir: dir,
    listeners: [{ id: 'pos', protocol: 'native', transport: { type: 'tcp', host: '127.0.0.1', port: 0 } }],
    terminals: [
      {
        id: 'lane1',
        driver: 'ipp',
        transport: { type: 'tcp', host: '127.0.0.1', port: simPort },
        currency: 'EUR',
        password: PLAIN_SECRETS.ipp,
      },
    ],
    status: { enabled: false, token: PLAIN_SECRETS.status },
  };
  const configFile = join(dir, 'config.json');
  writeFileSync(configFile, JSON.stringify(raw, null, 2));
  const logFile = join(dir, 'logs', 'register-bridge.log');
  const out = logOutputs({ file: logFile, stdout: false });
  const service = await startService(parseConfig(raw), {
    log: createLogger({ level: 'debug', destination: out }),
    status: false,
    bridge: { healthIntervalMs: 0 },
  });
  const c = await NativeClient.open(service.listeners[0]!.port!);
  for (const [i, amount] of [1234, 551, 2000].entries()) {
    await c.request({ op: 'sale', id: String(i), ref: `B-${i}`, amount, currency: 'EUR' });
  }
  c.close();
  // A web page's request at the register port: refused, and kept as a security event.
  const browser = connect(service.listeners[0]!.port!, '127.0.0.1');
  browser.on('error', () => undefined);
  browser.write('POST / HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n');
  await new Promise((r) => browser.once('close', r));
  await service.close();
  out.end?.();
  await new Promise((r) => setTimeout(r, 50));
  appendFileSync(
    logFile,
    `${JSON.stringify({ level: 30, time: Date.now(), msg: `card ${CARD} track ;${CARD}=25121010000000000000? %B${CARD}^DOE/JOHN^2512101` })}\n`,
  );
  return { configFile, logFile };
}

describe('register-bridge support-bundle', () => {
  it('writes one zip with every part, and no secret, card number or track data in any file', async () => {
    const dir = tmp();
    const { logFile } = await dataDirWithPayments(dir);
    expect(readFileSync(logFile, 'utf8')).toContain(CARD);
    const out = join(tmp(), 'bundle.zip');
    const { stdout } = await run(process.execPath, [BIN, 'support-bundle', '--data-dir', dir, '--out', out], {
      timeout: 60_000,
    });
    expect(stdout).toMatch(/support bundle written to/);
    const files = await unzipAll(readFileSync(out));
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
    ]);

    expect(forbiddenIn(files, Object.values(PLAIN_SECRETS))).toEqual([]);
    const config = JSON.parse(files.get('config.json')!) as {
      status: { token: string };
      terminals: Array<{ password: string }>;
    };
    expect(config.status.token).toMatch(/^<secret written in plain text in the config file/);
    expect(config.terminals[0]!.password).toMatch(/^<secret written in plain text/);
    const stats = JSON.parse(files.get('journal-stats.json')!) as { perDay: Array<{ outcome: string; count: number }> };
    expect(stats.perDay.find((r) => r.outcome === 'approved')?.count).toBe(2);
    expect(stats.perDay.find((r) => r.outcome === 'declined')?.count).toBe(1);
    expect(files.get('doctor.txt')).toMatch(/Journal/);
    expect(files.get('security-events.jsonl')).toMatch(/"kind":"foreign_protocol"/);
    expect(files.get('logs/register-bridge.log')!.split('\n').length).toBeGreaterThan(5);
    expect(JSON.parse(files.get('version.json')!)).toMatchObject({ node: process.versions.node });
  });

  it('names where a referenced secret comes from', async () => {
    const dir = tmp();
    writeFileSync(
      join(dir, 'config.json'),
      JSON.stringify({
        status: { enabled: false, token: { env: 'RB_STATUS_TOKEN' } },
        terminals: [
          {
            id: 'e',
            driver: 'epos',
            environment: 'demo',
            terminalId: 'T1',
            partnerClientId: 'p',
            partnerSecret: { keychain: 'epos.partner' },
            merchantClientId: 'm',
            merchantSecret: { env: 'MYPOS_MERCHANT_SECRET' },
          },
        ],
      }),
    );
    const out = join(dir, 'b.zip');
    await run(process.execPath, [BIN, 'support-bundle', '--data-dir', dir, '--out', out], { timeout: 60_000 });
    const config = JSON.parse((await unzipAll(readFileSync(out))).get('config.json')!) as {
      status: { token: string };
      terminals: Array<Record<string, string>>;
    };
    expect(config.status.token).toBe('<secret from env RB_STATUS_TOKEN>');
    expect(config.terminals[0]!.partnerSecret).toBe('<secret from keychain entry epos.partner>');
    expect(config.terminals[0]!.merchantSecret).toBe('<secret from env MYPOS_MERCHANT_SECRET>');
  });
});
