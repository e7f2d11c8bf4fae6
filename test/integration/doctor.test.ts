/**
 * `register-bridge doctor` on a real machine: real loopback sockets (a port held by another process), the
 * simulated IPP terminal and a closed port, the fake ePOS gateway (credentials, clock skew against its Date
 * header), a socat pty and a missing port, a HID cable that is not plugged in, and real journal files — a healthy
 * one with an unresolved payment and a corrupt one. Each check's failure message is asserted in words.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import Database from 'libsql';
import { parseConfig } from '../../src/config/load';
import { Journal } from '../../src/journal/journal';
import { checkDevices } from '../../src/ops/doctor/check-devices';
import { checkPorts } from '../../src/ops/doctor/check-ports';
import { checkJournal } from '../../src/ops/doctor/check-storage';
import { checkClock, checkTerminals } from '../../src/ops/doctor/check-terminals';
import { systemDoctorEnv, inspectJournal } from '../../src/ops/doctor/system';
import type { CheckResult } from '../../src/ops/doctor/types';
import { IppSimulator } from '../../src/terminal/simulator/ipp-simulator';
import { DEMO_EPOS, FakeEposGateway } from '../../src/terminal/simulator/epos-gateway';
import { demoEposTerminal } from '../../src/terminal/simulator/epos-demo';
import { PtyPair } from './serial-pty';

const BIN = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'bin', 'register-bridge.mjs');
const run = promisify(execFile);

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

function tmp(): string {
  const d = mkdtempSync(join(tmpdir(), 'rb-doctor-'));
  cleanups.push(() => rmSync(d, { recursive: true, force: true }));
  return d;
}

function text(r: CheckResult): string {
  return r.findings.map((f) => `${f.status}: ${f.text}${(f.hints ?? []).map((h) => `\n  → ${h}`).join('')}`).join('\n');
}

function config(extra: { listeners?: unknown[]; terminals?: unknown[]; status?: unknown } = {}) {
  return parseConfig({
    listeners: extra.listeners ?? [
      { id: 'pos', protocol: 'native', transport: { type: 'tcp', host: '127.0.0.1', port: 0 } },
    ],
    terminals: extra.terminals ?? [{ id: 'sim', driver: 'simulator' }],
    status: extra.status ?? { enabled: false },
  });
}

/** A free loopback port (bound and released). */
function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s: Server = createServer().listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

/** Another program holding a port: a child node process listening on loopback. */
async function holdPort(): Promise<{ port: number; pid: number }> {
  const child: ChildProcess = spawn(
    process.execPath,
    ['-e', "const s=require('net').createServer().listen(0,'127.0.0.1',()=>console.log(s.address().port))"],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  cleanups.push(() => void child.kill('SIGKILL'));
  const port = await new Promise<number>((resolve, reject) => {
    child.stdout!.once('data', (d: Buffer) => resolve(Number(d.toString().trim())));
    child.once('exit', (code) => reject(new Error(`port holder exited ${code}`)));
  });
  return { port, pid: child.pid! };
}

const eposSecrets = { T_PARTNER: DEMO_EPOS.partnerSecret, T_MERCHANT: DEMO_EPOS.merchantSecret };

async function gateway(): Promise<string> {
  const g = new FakeEposGateway();
  const url = await g.start();
  cleanups.push(() => g.close());
  return url;
}

function eposTerminal(url: string) {
  return demoEposTerminal(url, {
    id: 'shop',
    currency: 'EUR',
    partnerSecret: { env: 'T_PARTNER' },
    merchantSecret: { env: 'T_MERCHANT' },
  });
}

describe('doctor: ports', () => {
  it('names the process holding a configured port, and the field to change', async () => {
    const held = await holdPort();
    const free = await freePort();
    const r = await checkPorts(
      config({
        listeners: [
          { id: 'pos', protocol: 'native', transport: { type: 'tcp', host: '127.0.0.1', port: held.port } },
          { id: 'ecr', protocol: 'zvt', transport: { type: 'tcp', host: '127.0.0.1', port: free } },
        ],
      }),
      systemDoctorEnv(),
    );
    const t = text(r);
    expect(t).toContain(`fail: listener "pos": 127.0.0.1:${held.port} is in use by node (process ${held.pid}`);
    expect(t).toContain('set listeners[0].transport.port to a free port');
    expect(t).toContain(`ok: listener "ecr": 127.0.0.1:${free} is free`);
  });

  it('says when the host is not an address of this computer', async () => {
    const r = await checkPorts(
      config({
        listeners: [
          {
            id: 'pos',
            protocol: 'native',
            token: { env: 'POS_KEY' },
            transport: { type: 'tcp', host: '192.0.2.1', port: 7450 },
          },
        ],
      }),
      systemDoctorEnv(),
    );
    expect(text(r)).toContain('fail: listener "pos": 192.0.2.1 is not an address of this computer');
  });
});

describe('doctor: terminals', () => {
  it('an IPP terminal that answers PING is ok; a closed port fails in words with what to check', async () => {
    const sim = new IppSimulator({ fast: true });
    const port = await sim.listen({ host: '127.0.0.1', port: 0 });
    cleanups.push(() => sim.close());
    const closed = await freePort();
    const r = await checkTerminals(
      config({
        terminals: [
          { id: 'till1', driver: 'ipp', transport: { type: 'tcp', host: '127.0.0.1', port } },
          { id: 'till2', driver: 'ipp', transport: { type: 'tcp', host: '127.0.0.1', port: closed } },
        ],
      }),
      systemDoctorEnv({ timeoutMs: 2000 }),
    );
    const t = text(r);
    expect(t).toMatch(
      new RegExp(`ok: terminal "till1" \\(IPP 127\\.0\\.0\\.1:${port}\\) answers PING: Terminal online`),
    );
    expect(t).toMatch(
      new RegExp(
        `fail: terminal "till2" \\(IPP 127\\.0\\.0\\.1:${closed}\\): The terminal cannot be reached: .*ECONNREFUSED`,
      ),
    );
    expect(t).toContain('"Cash Register" profile');
    expect(t).toContain('terminals[1].transport');
  });

  it('an ePOS terminal: token and session accepted; wrong merchant secret fails with the portal hint', async () => {
    const url = await gateway();
    const good = await checkTerminals(
      config({ terminals: [eposTerminal(url)] }),
      systemDoctorEnv({ secrets: { env: eposSecrets } }),
    );
    expect(text(good)).toMatch(/ok: terminal "shop" \(ePOS\): Partner credentials accepted/);
    expect(text(good)).toMatch(/ok: terminal "shop" \(ePOS\): Merchant credentials accepted/);
    expect(good.findings.some((f) => f.status === 'fail')).toBe(false);
    const bad = await checkTerminals(
      config({ terminals: [eposTerminal(url)] }),
      systemDoctorEnv({ secrets: { env: { ...eposSecrets, T_MERCHANT: 'sec_wrong' } } }),
    );
    const t = text(bad);
    expect(t).toMatch(/fail: terminal "shop" \(ePOS\): Merchant credentials refused/);
    expect(t).toMatch(/→ .*Merchants tab/);
    expect(t).not.toContain('sec_wrong');
  });

  it('the clock: within a few seconds of the gateway is ok; ten minutes ahead fails; two minutes behind warns', async () => {
    const url = await gateway();
    const cfg = config({ terminals: [eposTerminal(url)] });
    const same = await checkClock(cfg, systemDoctorEnv());
    expect(text(same)).toMatch(/ok: this computer's clock agrees with the gateway \(.*\) within \d+ s/);
    const ahead = await checkClock(cfg, systemDoctorEnv({ now: () => Date.now() + 10 * 60_000 }));
    expect(text(ahead)).toMatch(/fail: this computer's clock is 10 min ahead of the gateway/);
    expect(text(ahead)).toContain('Turn on automatic time');
    const behind = await checkClock(cfg, systemDoctorEnv({ now: () => Date.now() - 150_000 }));
    // The Date header has whole seconds and the answer may be slow on a loaded machine: 150 s give or take.
    expect(text(behind)).toMatch(/warn: this computer's clock is (1\d\d s|[23] min) behind the gateway/);
  });

  it('the clock: an unreachable gateway is said, not thrown', async () => {
    const closed = await freePort();
    const r = await checkClock(
      config({ terminals: [eposTerminal(`http://127.0.0.1:${closed}`)] }),
      systemDoctorEnv({ timeoutMs: 2000 }),
    );
    expect(text(r)).toMatch(new RegExp(`warn: cannot compare the clock with http://127\\.0\\.0\\.1:${closed}`));
  });
});

describe('doctor: devices', () => {
  it('a serial port that opens is ok; a missing one names the ports present', async () => {
    const pty = await PtyPair.start();
    cleanups.push(() => pty.stop());
    const r = await checkDevices(
      config({
        listeners: [
          { id: 'ecr', protocol: 'zvt', transport: { type: 'serial', path: pty.a } },
          { id: 'old', protocol: 'native', transport: { type: 'serial', path: '/dev/ttyNOPE9' } },
        ],
      }),
      systemDoctorEnv(),
    );
    const t = text(r);
    expect(t).toContain(`ok: listener "ecr": serial port ${pty.a} opens (9600 8N2)`);
    expect(t).toMatch(/fail: listener "old": serial port \/dev\/ttyNOPE9 was not found\./);
    expect(t).toContain('listeners[1].transport.path');
  });

  it('a HID cable that is not plugged in', async () => {
    const r = await checkDevices(
      config({
        listeners: [{ id: 'hid', protocol: 'native', transport: { type: 'hid', vendorId: 0x10c4, productId: 0xea80 } }],
      }),
      systemDoctorEnv(),
    );
    expect(text(r)).toMatch(/fail: listener "hid": hid 10C4:EA80 is not plugged in/);
  });
});

describe('doctor: journal', () => {
  it('a healthy journal: integrity ok, schema, payments and size; a missing one is created at start', () => {
    const dir = tmp();
    const j = Journal.open(dir);
    j.close();
    const r = checkJournal(inspectJournal(dir));
    expect(text(r)).toMatch(/ok: healthy \(integrity check ok\), schema \d+, 0 payments, [\d.]+ KiB/);
    expect(checkJournal(inspectJournal(join(dir, 'none'))).findings[0]).toMatchObject({
      status: 'ok',
      text: 'no journal yet: it is created when the bridge first starts',
    });
  });

  it('a corrupt journal file fails with what to do (and never "delete it")', () => {
    const dir = tmp();
    writeFileSync(
      join(dir, 'journal.sqlite'),
      Buffer.concat([Buffer.from('this is not SQLite '), Buffer.alloc(8192, 0x5a)]),
    );
    const r = checkJournal(inspectJournal(dir));
    const t = text(r);
    expect(r.findings[0]!.status).toBe('fail');
    expect(t).toMatch(/fail: the journal is damaged: file is not a database/);
    expect(t).toContain('keep a copy of the whole folder');
    expect(t).toContain('Do not delete it');
  });

  it('a journal whose pages are damaged fails the integrity check', () => {
    const dir = tmp();
    const file = join(dir, 'journal.sqlite');
    // A SQLite file with a table and an index over a few pages, then everything after the header page overwritten:
    // SQLite still opens it, but its pages are broken.
    const db = new Database(file);
    db.exec('PRAGMA journal_mode = DELETE');
    db.exec('CREATE TABLE payments (id TEXT PRIMARY KEY, ref TEXT, outcome TEXT)');
    const insert = db.prepare('INSERT INTO payments VALUES (?, ?, ?)');
    db.transaction(() => {
      for (let i = 0; i < 500; i++) insert.run(`p${i}`, `ref-${i}`.padEnd(40, 'x'), 'approved');
    })();
    db.close();
    const bytes = readFileSync(file);
    expect(bytes.length).toBeGreaterThan(3 * 4096);
    bytes.fill(0xa5, 4096);
    writeFileSync(file, bytes);
    const r = checkJournal(inspectJournal(dir));
    expect(r.findings[0]!.status).toBe('fail');
    expect(text(r)).toMatch(
      /fail: the journal is damaged( \(SQLite integrity check: .+\)|: database disk image is malformed)/,
    );
  });
});

describe('register-bridge doctor', () => {
  it('prints every section and exits 1 when something needs attention, 0 when nothing does', async () => {
    const dir = tmp();
    const held = await holdPort();
    writeFileSync(
      join(dir, 'config.json'),
      JSON.stringify({
        listeners: [{ id: 'pos', protocol: 'native', transport: { type: 'tcp', host: '127.0.0.1', port: held.port } }],
        terminals: [{ id: 'sim', driver: 'simulator' }],
        status: { enabled: false },
      }),
    );
    const bad = await run(process.execPath, [BIN, 'doctor', '--data-dir', dir]).then(
      () => ({ code: 0, stdout: '' }),
      (e: { code: number; stdout: string }) => e,
    );
    expect(bad.code).toBe(1);
    for (const section of [
      `Config ${join(dir, 'config.json')}`,
      'Ports',
      'Devices',
      'Terminals',
      'Clock',
      `Journal ${join(dir, 'journal.sqlite')}`,
      `Logs ${join(dir, 'logs', 'register-bridge.log')}`,
    ]) {
      expect(bad.stdout).toContain(section);
    }
    expect(bad.stdout).toContain(`FAIL  listener "pos": 127.0.0.1:${held.port} is in use by node (process ${held.pid}`);
    expect(bad.stdout).toMatch(/1 problem needs attention\.\n$/);

    const free = await freePort();
    writeFileSync(
      join(dir, 'config.json'),
      JSON.stringify({
        listeners: [{ id: 'pos', protocol: 'native', transport: { type: 'tcp', host: '127.0.0.1', port: free } }],
        terminals: [{ id: 'sim', driver: 'simulator' }],
        status: { enabled: false },
      }),
    );
    const good = await run(process.execPath, [BIN, 'doctor', '--data-dir', dir]);
    expect(good.stdout).toMatch(/Nothing needs attention\.\n$/);
  }, 90_000);

  it('a missing config file fails with where to get one', async () => {
    const dir = tmp();
    const r = await run(process.execPath, [BIN, 'doctor', '--config', join(dir, 'nope.json'), '--data-dir', dir]).then(
      () => ({ code: 0, stdout: '' }),
      (e: { code: number; stdout: string }) => e,
    );
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('FAIL  the config file does not exist');
    expect(r.stdout).toContain('not checked until the config is valid');
  }, 60_000);
});
