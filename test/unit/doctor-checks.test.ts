/**
 * Doctor checks with an injected environment: every finding, failures included, in the words an operator reads.
 * (test/integration/doctor.test.ts runs the same checks against real sockets, devices, terminals and files.)
 */
import { describe, expect, it } from 'vitest';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseConfig } from '../../src/config/load';
import { checkConfig } from '../../src/ops/doctor/check-config';
import { checkPorts, describeOwner } from '../../src/ops/doctor/check-ports';
import { checkJournal, checkLogs, formatBytes } from '../../src/ops/doctor/check-storage';
import { checkClock, checkTerminals, formatDuration } from '../../src/ops/doctor/check-terminals';
import { findPortOwner, isBridgeProcess, listeningSockets } from '../../src/ops/doctor/port-owner';
import { doctorExitCode, formatDoctor, runDoctor } from '../../src/ops/doctor/run';
import type { CheckResult, DoctorEnv, PortProbe } from '../../src/ops/doctor/types';

function text(r: CheckResult): string {
  return r.findings.map((f) => `${f.status}: ${f.text}${(f.hints ?? []).map((h) => `\n  → ${h}`).join('')}`).join('\n');
}

const base = {
  listeners: [{ id: 'pos', protocol: 'native', transport: { type: 'tcp', host: '127.0.0.1', port: 7450 } }],
  terminals: [{ id: 'sim', driver: 'simulator' }],
};

function env(over: Partial<DoctorEnv> = {}): DoctorEnv {
  return {
    platform: 'linux',
    env: {},
    now: () => Date.UTC(2026, 0, 5, 10, 0, 0),
    readFile: () => JSON.stringify(base),
    probePort: async () => ({ free: true }),
    portOwner: async () => undefined,
    openSerial: async () => undefined,
    openHid: async () => undefined,
    ippHealth: async () => ({ online: true, checkedAt: '', message: 'Terminal online' }),
    eposCheck: async () => ({ ok: true, lines: [], steps: [] }),
    httpDate: async () => ({
      date: new Date(Date.UTC(2026, 0, 5, 10, 0, 0)).toUTCString(),
      sentAt: Date.UTC(2026, 0, 5, 10, 0, 0),
      receivedAt: Date.UTC(2026, 0, 5, 10, 0, 0) + 100,
    }),
    inspectJournal: (dir) => ({
      file: join(dir, 'journal.sqlite'),
      exists: true,
      writable: true,
      bytes: 81920,
      integrity: 'ok',
      schemaVersion: 2,
      payments: 3,
      unresolved: 0,
    }),
    inspectLogs: (file) => ({ file, writable: true, rotated: 0, bytes: 100 }),
    ...over,
  };
}

describe('doctor: config', () => {
  it('a missing file says how to get one', () => {
    const r = checkConfig(
      '/x/config.json',
      env({
        readFile: () => {
          throw Object.assign(new Error('no'), { code: 'ENOENT' });
        },
      }),
    );
    expect(r.config).toBeUndefined();
    expect(text(r.result)).toMatch(/^fail: the config file does not exist\n  → .*--config FILE/);
  });

  it('an unreadable file names the OS error', () => {
    const r = checkConfig(
      '/x/config.json',
      env({
        readFile: () => {
          throw Object.assign(new Error('no'), { code: 'EACCES' });
        },
      }),
    );
    expect(text(r.result)).toMatch(/^fail: the config file cannot be read \(EACCES\)/);
  });

  it('broken JSON, and every schema issue with its field', () => {
    expect(text(checkConfig('c', env({ readFile: () => '{"listeners": [' })).result)).toMatch(
      /^fail: the config file is not valid JSON: /,
    );
    const r = checkConfig(
      'c',
      env({
        readFile: () =>
          JSON.stringify({
            listeners: [{ protocol: 'native', transport: { type: 'tcp', port: 70000 } }],
            terminals: [{ id: 'x', driver: 'simulator', currency: 'XXQ' }],
          }),
      }),
    );
    const t = text(r.result);
    expect(t).toContain('fail: listeners[0].transport.port: must be 0–65535');
    expect(t).toContain('fail: terminals[0].currency: must be an ISO 4217 alpha code');
  });

  it('an unset environment secret fails; a plain-text secret and a network listener warn', () => {
    const cfg = {
      listeners: [
        {
          id: 'pos',
          protocol: 'native',
          token: { env: 'POS_TOKEN' },
          transport: { type: 'tcp', host: '0.0.0.0', port: 7450 },
        },
      ],
      terminals: [
        { id: 't', driver: 'ipp', password: 'plain', transport: { type: 'tcp', host: '10.0.0.5', port: 7900 } },
      ],
    };
    const r = checkConfig('c', env({ readFile: () => JSON.stringify(cfg) }));
    const t = text(r.result);
    expect(r.config).toBeDefined();
    expect(t).toMatch(/fail: .*POS_TOKEN/);
    expect(t).toContain('→ Set POS_TOKEN in the environment the bridge runs in');
    expect(t).toContain('warn: terminals[0].password is written in plain text in the config file');
    expect(t).toContain('warn: listener "pos" accepts connections from the network on 0.0.0.0:7450');
    const set = checkConfig('c', env({ readFile: () => JSON.stringify(cfg), env: { POS_TOKEN: 'tok-123456' } }));
    expect(text(set.result)).toContain('ok: listeners[0].token comes from');
    expect(text(set.result)).not.toContain('tok-123456');
  });
});

describe('doctor: ports', () => {
  const cfg = parseConfig({ ...base, status: { enabled: true, port: 7460 } });
  const busy = async (): Promise<PortProbe> => ({ free: false, code: 'EADDRINUSE' });

  it('in use by another program, named with pid and user', async () => {
    const r = await checkPorts(
      cfg,
      env({ probePort: busy, portOwner: async () => ({ pid: 4242, name: 'nginx', user: 'www-data' }) }),
    );
    expect(text(r)).toContain(
      'fail: listener "pos": 127.0.0.1:7450 is in use by nginx (process 4242, user www-data)\n  → Stop that program, or set listeners[0].transport.port to a free port',
    );
    expect(text(r)).toContain('fail: status page: 127.0.0.1:7460 is in use by nginx');
  });

  it('in use by the bridge itself is a warning, not a failure', async () => {
    const r = await checkPorts(
      cfg,
      env({
        probePort: busy,
        portOwner: async () => ({ pid: 77, name: 'node', command: 'node /opt/rb/bin/register-bridge.mjs serve' }),
      }),
    );
    expect(r.findings.every((f) => f.status === 'warn')).toBe(true);
    expect(text(r)).toContain('is in use by Register Bridge itself (node (process 77)) — it is already running');
  });

  it('an owner the OS does not show, a reserved port, a host that is not ours, an unresolvable name', async () => {
    expect(text(await checkPorts(cfg, env({ probePort: busy, portOwner: async () => ({ user: 'root' }) })))).toContain(
      'is in use by another program of user root\n  → Run doctor as administrator/root',
    );
    expect(text(await checkPorts(cfg, env({ probePort: async () => ({ free: false, code: 'EACCES' }) })))).toContain(
      'fail: listener "pos": port 7450 needs administrator rights',
    );
    expect(
      text(await checkPorts(cfg, env({ probePort: async () => ({ free: false, code: 'EADDRNOTAVAIL' }) }))),
    ).toContain('fail: listener "pos": 127.0.0.1 is not an address of this computer');
    expect(text(await checkPorts(cfg, env({ probePort: async () => ({ free: false, code: 'ENOTFOUND' }) })))).toContain(
      'the host name 127.0.0.1 cannot be resolved',
    );
  });

  it('describes owners and recognises the bridge', () => {
    expect(describeOwner({ name: 'java', pid: 9 })).toBe('java (process 9)');
    expect(isBridgeProcess({ name: 'Register Bridge' })).toBe(true);
    expect(isBridgeProcess({ name: 'node', command: 'node server.js' })).toBe(false);
  });
});

describe('doctor: port owner from /proc', () => {
  it('finds the process whose fd is the listening socket, and its user', () => {
    const proc = mkdtempSync(join(tmpdir(), 'rb-proc-'));
    try {
      mkdirSync(join(proc, 'net'));
      const header =
        '  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode\n';
      writeFileSync(
        join(proc, 'net', 'tcp'),
        header +
          '   0: 0100007F:1D1E 00000000:0000 0A 00000000:00000000 00:00000000 00000000  1001        0 55555 1 0000000000000000 100 0 0 10 0\n' +
          '   1: 0100007F:1D1F 0100007F:9999 01 00000000:00000000 00:00000000 00000000  1001        0 66666 1 0000000000000000 100 0 0 10 0\n',
      );
      writeFileSync(join(proc, 'net', 'tcp6'), header);
      mkdirSync(join(proc, '321', 'fd'), { recursive: true });
      writeFileSync(join(proc, '321', 'comm'), 'pos-server\n');
      writeFileSync(join(proc, '321', 'cmdline'), 'pos-server\u0000--port\u00007454\u0000');
      symlinkSync('socket:[55555]', join(proc, '321', 'fd', '7'));
      writeFileSync(join(proc, 'passwd'), 'root:x:0:0::/root:/bin/sh\nshop:x:1001:1001::/home/shop:/bin/sh\n');
      expect(listeningSockets(0x1d1e, proc)).toEqual([{ uid: 1001, inode: '55555' }]);
      expect(listeningSockets(0x1d1f, proc)).toEqual([]);
      expect(findPortOwner(0x1d1e, { procDir: proc, passwdFile: join(proc, 'passwd'), platform: 'linux' })).toEqual({
        pid: 321,
        name: 'pos-server',
        command: 'pos-server --port 7454',
        user: 'shop',
      });
      expect(findPortOwner(0x1d1e, { procDir: proc, platform: 'win32' })).toBeUndefined();
    } finally {
      rmSync(proc, { recursive: true, force: true });
    }
  });
});

describe('doctor: terminals and clock', () => {
  it('an IPP terminal that does not answer fails; a currency mismatch warns; the simulator is skipped', async () => {
    const cfg = parseConfig({
      ...base,
      terminals: [
        { id: 'sim', driver: 'simulator' },
        { id: 't', driver: 'ipp', transport: { type: 'serial', path: '/dev/ttyACM0' } },
      ],
    });
    const down = await checkTerminals(
      cfg,
      env({
        ippHealth: async () => ({
          online: false,
          checkedAt: '',
          message: 'The terminal cannot be reached: port closed',
        }),
      }),
    );
    expect(text(down)).toContain('skip: terminal "sim" is the built-in simulated terminal');
    expect(text(down)).toContain(
      'fail: terminal "t" (IPP serial /dev/ttyACM0): The terminal cannot be reached: port closed\n  → Check the cable',
    );
    const odd = await checkTerminals(
      cfg,
      env({
        ippHealth: async () => ({
          online: true,
          checkedAt: '',
          message: 'Terminal online — warning: the terminal reports currency BGN, configured EUR',
        }),
      }),
    );
    expect(odd.findings[1]!.status).toBe('warn');
  });

  it('ePOS: the check steps become findings, their hints the findings hints', async () => {
    const cfg = parseConfig({
      ...base,
      terminals: [
        {
          id: 'shop',
          driver: 'epos',
          environment: 'demo',
          terminalId: '80123457',
          partnerId: 'mps-p-1',
          applicationId: 'mps-app-1',
          partnerClientId: 'client_1',
          partnerSecret: { env: 'A' },
          merchantClientId: 'cli_1',
          merchantSecret: { env: 'B' },
        },
      ],
    });
    const r = await checkTerminals(
      cfg,
      env({
        eposCheck: async () => ({
          ok: false,
          lines: [
            '[info] Terminal "shop": environment demo',
            '[ok]   Secrets resolved',
            '[fail] Partner credentials refused by the gateway (401)',
            '       Check the Partner Client ID',
            '       This entry uses the Demo environment',
          ],
          steps: [
            { status: 'info', text: 'Terminal "shop": environment demo', hints: [] },
            { status: 'ok', text: 'Secrets resolved', hints: [] },
            {
              status: 'fail',
              text: 'Partner credentials refused by the gateway (401)',
              hints: ['Check the Partner Client ID', 'This entry uses the Demo environment'],
            },
          ],
        }),
      }),
    );
    expect(r.findings.map((f) => f.status)).toEqual(['ok', 'ok', 'fail']);
    expect(r.findings[2]).toEqual({
      status: 'fail',
      text: 'terminal "shop" (ePOS): Partner credentials refused by the gateway (401)',
      hints: ['Check the Partner Client ID', 'This entry uses the Demo environment'],
    });
  });

  it('clock: skew in words either way; no Date header; no ePOS terminal', async () => {
    const epos = parseConfig({
      ...base,
      terminals: [
        {
          id: 'shop',
          driver: 'epos',
          environment: 'live',
          terminalId: '80123457',
          partnerId: 'mps-p-1',
          applicationId: 'mps-app-1',
          partnerClientId: 'client_1',
          partnerSecret: { env: 'A' },
          merchantClientId: 'cli_1',
          merchantSecret: { env: 'B' },
        },
      ],
    });
    const at = (skewMs: number) =>
      env({
        httpDate: async () => ({
          date: new Date(Date.UTC(2026, 0, 5, 10, 0, 0) - skewMs).toUTCString(),
          sentAt: Date.UTC(2026, 0, 5, 10, 0, 0),
          receivedAt: Date.UTC(2026, 0, 5, 10, 0, 0),
        }),
      });
    expect(text(await checkClock(epos, at(0)))).toMatch(
      /^ok: this computer's clock agrees with the gateway \(https:\/\/.*\) within 1 s$/,
    );
    expect(text(await checkClock(epos, at(90_000)))).toMatch(
      /^warn: this computer's clock is 90 s ahead of the gateway/,
    );
    expect(text(await checkClock(epos, at(-3 * 3600_000)))).toMatch(
      /^fail: this computer's clock is 3 h behind the gateway/,
    );
    expect(text(await checkClock(epos, env({ httpDate: async () => ({ sentAt: 0, receivedAt: 0 }) })))).toMatch(
      /^warn: .* sent no usable Date header/,
    );
    expect(text(await checkClock(parseConfig(base), env()))).toMatch(/^skip: no ePOS terminal configured/);
    expect(formatDuration(3 * 86_400_000)).toBe('3 days');
  });
});

describe('doctor: journal and logs', () => {
  const j = {
    file: '/d/journal.sqlite',
    exists: true,
    writable: true,
    bytes: 81920,
    integrity: 'ok',
    schemaVersion: 2,
    payments: 3,
    unresolved: 0,
  };

  it('damaged, unresolved payments, large, read-only folder', () => {
    expect(
      text(
        checkJournal({ ...j, integrity: '*** in database main ***\nPage 5: btreeInitPage() returns error code 11' }),
      ),
    ).toMatch(/^fail: the journal is damaged \(SQLite integrity check: \*\*\* in database main \*\*\*; Page 5/);
    expect(text(checkJournal({ ...j, unresolved: 2 }))).toContain(
      'warn: 2 payments are unfinished or in doubt\n  → The bridge asks the terminal about them',
    );
    expect(text(checkJournal({ ...j, bytes: 2 * 1024 ** 3 }))).toContain('warn: the journal is large (2.00 GiB)');
    expect(text(checkJournal({ ...j, writable: false }))).toContain(
      'fail: the journal folder cannot be written by this user',
    );
    expect(text(checkJournal({ file: '/d/journal.sqlite', exists: false, writable: false }))).toMatch(
      /^fail: the journal folder cannot be written/,
    );
    expect(text(checkJournal(j))).toBe('ok: healthy (integrity check ok), schema 2, 3 payments, 80.0 KiB');
  });

  it('logs: folder not writable fails; sizes and rotated files are reported', () => {
    expect(text(checkLogs({ file: '/l/register-bridge.log', writable: false, rotated: 0 }))).toMatch(
      /^fail: the log folder cannot be written by this user\n  → .*--log-dir DIR/,
    );
    expect(text(checkLogs({ file: '/l/register-bridge.log', writable: true, rotated: 2, bytes: 2048 }))).toBe(
      'ok: 2.0 KiB, plus 2 older files; "register-bridge logs -f" follows it',
    );
    expect(formatBytes(512)).toBe('512 bytes');
  });
});

describe('doctor: the report', () => {
  it('counts problems and warnings, exits 1 only for problems, and skips device checks without a valid config', async () => {
    const paths = { configFile: '/c/config.json', dataDir: () => '/d', logFile: () => '/l/register-bridge.log' };
    const clean = await runDoctor(paths, env());
    expect(clean.failures).toBe(0);
    expect(doctorExitCode(clean)).toBe(0);
    expect(formatDoctor(clean)).toMatch(
      /Config \/c\/config\.json\n  ok    valid: 1 listener, 1 terminal\n[\s\S]*Nothing needs attention\.\n$/,
    );

    const broken = await runDoctor(
      paths,
      env({
        readFile: () => '{',
        inspectJournal: () => ({
          ...{ file: '/d/journal.sqlite', exists: true, writable: true },
          error: 'file is not a database',
        }),
      }),
    );
    expect(doctorExitCode(broken)).toBe(1);
    const out = formatDoctor(broken);
    expect(out).toContain('--    not checked until the config is valid');
    expect(out).toContain('FAIL  the journal is damaged: file is not a database\n        → Stop the bridge');
    expect(out).toMatch(/2 problems need attention\.\n$/);

    const warned = await runDoctor(
      paths,
      env({
        probePort: async () => ({ free: false, code: 'EADDRINUSE' }),
        portOwner: async () => ({ name: 'register-bridge' }),
      }),
    );
    expect(doctorExitCode(warned)).toBe(0);
    expect(formatDoctor(warned)).toMatch(/Nothing needs attention, 2 warnings\.\n$/);
  });
});
