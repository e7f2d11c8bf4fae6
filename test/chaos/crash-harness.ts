/**
 * Crash harness: the real `register-bridge serve` as a child process, the simulated myPOS terminal as a separate
 * process (its ledger survives every kill), several registers driving sales, and SIGKILL at random moments and at
 * the bridge's crash points (between terminal approval and journal commit, between journal commit and delivery…).
 * After the last kill, the bridge runs once more undisturbed and every ref is checked against the terminal's
 * ledger: exactly the charges the bridge reports (0 or 1, reversals accounted), and `status` tells the truth.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync, createWriteStream } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { NativeClient } from '../helpers/native-client';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const BIN = join(ROOT, 'bin', 'register-bridge.mjs');
const SIM = join(ROOT, 'src', 'terminal', 'simulator', 'ipp-simulator-main.ts');

const CRASH_POINTS = [
  'after_intent',
  'after_send_commit',
  'after_terminal_outcome',
  'after_outcome_commit',
  'after_delivery',
  'after_settle_decision',
] as const;

export interface CrashOptions {
  kills: number;
  registers?: number;
  seed?: number;
  /** Called with a line of progress (the long run prints it). */
  progress?: (line: string) => void;
  /** Keep the temporary folder (journal, logs) for inspection. */
  keep?: boolean;
}

export interface CrashSummary {
  kills: number;
  refs: number;
  /** Charged at the terminal, but the bridge does not report an approved payment. */
  lost: number;
  /** Charged more than once for one ref. */
  doubled: number;
  /** Reported approved (and not reversed), but not charged at the terminal. */
  phantom: number;
  inDoubtLeft: number;
  crashPointKills: number;
  approved: number;
  reversed: number;
  dir: string;
  problems: string[];
}

interface RefState {
  register: number;
  amount: number;
  reversalSent: boolean;
}

/** A small deterministic PRNG so a failing run can be repeated with its seed. */
function rng(seed: number): () => number {
  let s = seed >>> 0 || 1;
  return () => {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    return (s >>> 0) / 4294967296;
  };
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const port = (srv.address() as { port: number }).port;
      srv.close(() => resolve(port));
    });
  });
}

function waitForLine(child: ChildProcess, re: RegExp, what: string, timeoutMs = 30_000): Promise<RegExpExecArray> {
  return new Promise((resolve, reject) => {
    let out = '';
    const t = setTimeout(() => reject(new Error(`${what} not ready within ${timeoutMs} ms: ${out}`)), timeoutMs);
    const onData = (d: Buffer): void => {
      out += d.toString();
      const m = re.exec(out);
      if (m) {
        clearTimeout(t);
        child.stdout!.off('data', onData);
        resolve(m);
      }
    };
    child.stdout!.on('data', onData);
    child.once('exit', (code, signal) => {
      clearTimeout(t);
      reject(new Error(`${what} exited (${code ?? signal}) before it was ready: ${out}`));
    });
  });
}

export async function runCrashHarness(opts: CrashOptions): Promise<CrashSummary> {
  const random = rng(opts.seed ?? Date.now());
  const registers = opts.registers ?? 3;
  const dir = mkdtempSync(join(tmpdir(), 'rb-chaos-'));
  const log = createWriteStream(join(dir, 'bridge.log'));
  const problems: string[] = [];

  const sim = spawn(
    process.execPath,
    [
      '--import',
      'tsx',
      SIM,
      '--port',
      '0',
      '--control-port',
      '0',
      '--stage-delay-ms',
      '3',
      '--state-file',
      join(dir, 'terminal.json'),
    ],
    {
      cwd: ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  sim.stderr!.pipe(log, { end: false });
  const ready = await waitForLine(
    sim,
    /listening on 127\.0\.0\.1:(\d+) control 127\.0\.0\.1:(\d+)/,
    'simulated terminal',
  );
  const simPort = Number(ready[1]);
  const controlPort = Number(ready[2]);
  const port = await freePort();
  const configFile = join(dir, 'config.json');
  writeFileSync(
    configFile,
    JSON.stringify({
      dataDir: join(dir, 'data'),
      listeners: [{ id: 'pos', protocol: 'native', transport: { type: 'tcp', host: '127.0.0.1', port } }],
      terminals: [
        { id: 'lane1', driver: 'ipp', transport: { type: 'tcp', host: '127.0.0.1', port: simPort }, currency: 'EUR' },
      ],
      status: { enabled: false },
      log: { level: 'warn' },
    }),
  );

  const refs = new Map<string, RefState>();
  let counter = 0;
  let crashPointKills = 0;
  let bridge: ChildProcess | undefined;

  const startBridge = async (crashAt?: string): Promise<ChildProcess> => {
    const child = spawn(process.execPath, [BIN, 'serve', '--config', configFile], {
      cwd: ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, ...(crashAt ? { REGISTER_BRIDGE_CRASH_AT: crashAt } : { REGISTER_BRIDGE_CRASH_AT: '' }) },
    });
    child.stdout!.pipe(log, { end: false });
    child.stderr!.pipe(log, { end: false });
    await waitForLine(child, /register listener on/, 'bridge');
    return child;
  };

  /** One register's workload until its connection dies: new sales, resends of old refs, reversals. */
  const drive = async (client: NativeClient, r: number): Promise<void> => {
    let id = 0;
    const mine = (): string[] => [...refs.entries()].filter(([, s]) => s.register === r).map(([ref]) => ref);
    while (!client.closed) {
      const roll = random();
      let msg: Record<string, unknown>;
      if (roll < 0.15 && mine().length > 0) {
        const old = mine()[Math.floor(random() * mine().length)]!;
        msg = { op: 'sale', id: String(++id), ref: old, amount: refs.get(old)!.amount, currency: 'EUR' };
      } else {
        const ref = `r${r}-${++counter}`;
        // Amounts avoid the simulator's slow (…77) and silent (…99) endings; some decline (…51) or cancel (…13).
        let amount = 100 + Math.floor(random() * 9000);
        if (amount % 100 === 77 || amount % 100 === 99) amount += 1;
        refs.set(ref, { register: r, amount, reversalSent: false });
        msg = { op: 'sale', id: String(++id), ref, amount, currency: 'EUR' };
      }
      try {
        const answer = await client.request(msg, ['result', 'error']);
        // Void some approved sales right away (the terminal reverses only its last transaction).
        if (answer.outcome === 'approved' && answer.kind === 'sale' && !answer.attached && random() < 0.25) {
          refs.get(String(answer.ref))!.reversalSent = true;
          await client.request({ op: 'reversal', id: String(++id), ref: answer.ref }, ['result', 'error']);
        }
      } catch {
        return; // connection gone (the bridge was killed)
      }
    }
  };

  try {
    for (let kill = 0; kill < opts.kills; kill++) {
      const usePoint = random() < 0.5;
      const crashAt = usePoint
        ? `${CRASH_POINTS[Math.floor(random() * CRASH_POINTS.length)]}:${1 + Math.floor(random() * 3)}`
        : undefined;
      try {
        bridge = await startBridge(crashAt);
      } catch (e) {
        // A crash point can be reached during recovery at start, before the bridge listens: that is a kill too.
        if (!crashAt || !/\(SIGKILL\)/.test(String(e))) throw e;
        crashPointKills++;
        opts.progress?.(`kill ${kill + 1}/${opts.kills} at ${crashAt} during recovery at start`);
        continue;
      }
      const exited = new Promise<void>((res) => bridge!.once('exit', () => res()));
      const clients = await Promise.all(
        Array.from({ length: registers }, async (_, r) => {
          const c = await NativeClient.open(port);
          c.send({ op: 'hello', id: 'h', register: `till-${r}` });
          return c;
        }),
      );
      const work = clients.map((c, r) => drive(c, r));
      const delay = 30 + Math.floor(random() * 400);
      const byPoint = await Promise.race([
        exited.then(() => true),
        new Promise<boolean>((res) => setTimeout(() => res(false), delay)),
      ]);
      if (byPoint) crashPointKills++;
      else bridge.kill('SIGKILL');
      await exited;
      for (const c of clients) c.close();
      await Promise.all(work);
      opts.progress?.(`kill ${kill + 1}/${opts.kills}${byPoint ? ` at ${crashAt}` : ''}, refs so far ${refs.size}`);
    }

    // The last run: undisturbed, until every payment is resolved (or the deadline passes).
    bridge = await startBridge();
    const clients = await Promise.all(
      Array.from({ length: registers }, async (_, r) => {
        const c = await NativeClient.open(port);
        await c.request({ op: 'hello', id: 'h', register: `till-${r}` }, ['hello']);
        return c;
      }),
    );
    const outcomes = new Map<string, { outcome: string | null; reversed: boolean } | 'unknown'>();
    const deadline = Date.now() + 60_000;
    let pending = [...refs.keys()];
    let q = 0;
    while (pending.length > 0) {
      const still: string[] = [];
      for (const ref of pending) {
        const st = refs.get(ref)!;
        const m = await clients[st.register]!.request({ op: 'status', id: `s${++q}`, ref }, ['status', 'error']);
        if (m.type === 'error') {
          if (m.code !== 'unknown_ref') problems.push(`status ${ref}: ${String(m.code)} ${String(m.message)}`);
          outcomes.set(ref, 'unknown');
          continue;
        }
        const outcome = (m.outcome as string | null) ?? null;
        const settling = m.stage === 'approved_open' || m.stage === 'confirming' || m.stage === 'cancelling';
        if ((outcome === null || outcome === 'in_doubt' || settling) && Date.now() < deadline) still.push(ref);
        outcomes.set(ref, { outcome, reversed: m.reversed === true });
      }
      pending = still;
      if (pending.length > 0) await new Promise((r) => setTimeout(r, 250));
    }

    const ledger = (await (await fetch(`http://127.0.0.1:${controlPort}/ledger`)).json()) as {
      open: string | null;
      entries: Array<{ reference?: string; kind: string; state: string }>;
    };
    if (ledger.open) problems.push(`the terminal still holds an open transaction (${ledger.open})`);
    let lost = 0;
    let doubled = 0;
    let phantom = 0;
    let inDoubtLeft = 0;
    let approved = 0;
    let reversed = 0;
    for (const [ref] of refs) {
      const charges = ledger.entries.filter(
        (e) =>
          e.reference === ref &&
          (e.kind === 'sale' || e.kind === 'preauth_completion') &&
          (e.state === 'open' || e.state === 'completed'),
      ).length;
      const o = outcomes.get(ref);
      if (charges > 1) {
        doubled++;
        problems.push(`${ref}: charged ${charges} times`);
      }
      if (o === undefined || o === 'unknown') {
        if (charges > 0) {
          lost++;
          problems.push(`${ref}: charged at the terminal, unknown to the bridge`);
        }
        continue;
      }
      if (o.outcome === 'in_doubt' || o.outcome === null) {
        inDoubtLeft++;
        continue;
      }
      const reportsCharge = o.outcome === 'approved' && !o.reversed;
      if (o.outcome === 'approved') approved++;
      if (o.reversed) reversed++;
      if (charges > 0 && !reportsCharge) {
        lost++;
        problems.push(`${ref}: charged at the terminal, bridge says ${o.outcome}${o.reversed ? ' (reversed)' : ''}`);
      }
      if (charges === 0 && reportsCharge) {
        phantom++;
        problems.push(`${ref}: bridge says approved, terminal has no charge`);
      }
    }
    for (const c of clients) c.close();
    return {
      kills: opts.kills,
      refs: refs.size,
      lost,
      doubled,
      phantom,
      inDoubtLeft,
      crashPointKills,
      approved,
      reversed,
      dir,
      problems,
    };
  } finally {
    bridge?.kill('SIGKILL');
    sim.kill('SIGTERM');
    log.end();
    if (!opts.keep) rmSync(dir, { recursive: true, force: true });
  }
}

export function summaryLine(s: CrashSummary): string {
  return `kills=${s.kills} refs=${s.refs} lost=${s.lost} doubled=${s.doubled} in_doubt_left=${s.inDoubtLeft} phantom=${s.phantom} approved=${s.approved} reversed=${s.reversed} crash_point_kills=${s.crashPointKills}`;
}
