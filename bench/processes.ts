/**
 * The processes of a benchmark run: the real `register-bridge serve --config` (as shipped, through bin/), the
 * terminal host and the baseline forwarder (forked children spoken to over IPC).
 */
import { execFileSync, fork, spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { SimHostAnswer, SimHostRequest, SimLedgerSummary } from './sim-host';
import type { ForwarderAnswer, ForwarderRequest } from './forwarder';

export const ROOT = fileURLToPath(new URL('..', import.meta.url));
export const BIN = join(ROOT, 'bin', 'register-bridge.mjs');

/** Builds the command's bundle (and its code cache on first run) from the sources as they are, as `npm ci` does. */
export function buildBundle(): void {
  execFileSync(process.execPath, [join(ROOT, 'scripts', 'build-cli.mjs')], { cwd: ROOT, stdio: 'ignore' });
}

/** A forked TypeScript child answering one IPC message per request, in order. */
class IpcChild<Req, Ans extends { type: string }> {
  readonly child: ChildProcess;
  private waiting: Array<(a: Ans) => void> = [];

  constructor(private readonly file: string) {
    this.child = fork(join(ROOT, 'bench', file), [], {
      execArgv: [
        '--import',
        'tsx',
        ...(process.env.BENCH_CHILD_PROF ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_CHILD_PROF}`] : []),
      ],
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
      cwd: ROOT,
    });
    this.child.on('message', (m: Ans) => this.waiting.shift()?.(m));
  }

  ask(req: Req): Promise<Ans> {
    return new Promise((resolve, reject) => {
      const onExit = (code: number | null): void => reject(new Error(`bench/${this.file} exited (${code})`));
      this.child.once('exit', onExit);
      this.waiting.push((a) => {
        this.child.off('exit', onExit);
        resolve(a);
      });
      this.child.send(req as object);
    });
  }

  kill(): void {
    this.child.kill('SIGTERM');
  }
}

export class SimHost {
  private readonly ipc = new IpcChild<SimHostRequest, SimHostAnswer>('sim-host.ts');
  async start(count: number): Promise<number[]> {
    const a = await this.ipc.ask({ type: 'start', count });
    if (a.type !== 'started') throw new Error('terminal host did not start');
    return a.ports;
  }
  async stop(): Promise<SimLedgerSummary> {
    const a = await this.ipc.ask({ type: 'stop' });
    if (a.type !== 'stopped') throw new Error('terminal host did not stop');
    return a.ledger;
  }
  kill(): void {
    this.ipc.kill();
  }
}

export class Forwarder {
  private readonly ipc = new IpcChild<ForwarderRequest, ForwarderAnswer>('forwarder.ts');
  get pid(): number {
    return this.ipc.child.pid!;
  }
  async start(terminals: number[]): Promise<number[]> {
    const a = await this.ipc.ask({ type: 'start', terminals });
    if (a.type !== 'ready') throw new Error('forwarder did not start');
    return a.ports;
  }
  kill(): void {
    this.ipc.kill();
  }
}

/** The bridge configuration for `lanes` lanes: listener i → terminal lane-i → simulator port i. Journal on (default). */
export function laneConfig(dataDir: string, terminalPorts: number[]): Record<string, unknown> {
  return {
    dataDir,
    listeners: terminalPorts.map((_, i) => ({
      id: `pos-${i + 1}`,
      protocol: 'native',
      transport: { type: 'tcp', host: '127.0.0.1', port: 0 },
      terminal: `lane-${i + 1}`,
    })),
    terminals: terminalPorts.map((port, i) => ({
      id: `lane-${i + 1}`,
      driver: 'ipp',
      transport: { type: 'tcp', host: '127.0.0.1', port },
      currency: 'EUR',
    })),
    status: { enabled: false },
    log: { level: 'info' },
  };
}

export interface BridgeProcess {
  readonly child: ChildProcess;
  readonly pid: number;
  /** Listener ports in lane order. */
  readonly ports: number[];
  /** From spawn to the "ready" output with every listener line, ms. */
  readonly readyMs: number;
  stop(): Promise<void>;
}

/**
 * Starts `register-bridge serve --config FILE` and waits until it printed every listener. The bridge's log lines go to
 * `logFile` (stdout must be drained; a full pipe would stall the bridge).
 */
export async function startBridge(
  configFile: string,
  config: Record<string, unknown>,
  lanes: number,
  logFile: string,
  extraArgs: string[] = [],
  /** The command's entry point; default bin/register-bridge.mjs (TypeScript through tsx, as shipped). */
  entry = BIN,
): Promise<BridgeProcess> {
  writeFileSync(configFile, JSON.stringify(config));
  const log = createWriteStream(logFile);
  const started = performance.now();
  const child = spawn(process.execPath, [...extraArgs, entry, 'serve', '--config', configFile], {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stderr!.pipe(log, { end: false });
  const ports = await new Promise<number[]>((resolve, reject) => {
    let out = '';
    const found = new Map<number, number>();
    const onData = (d: Buffer): void => {
      log.write(d);
      out += d.toString();
      let nl: number;
      while ((nl = out.indexOf('\n')) !== -1) {
        const line = out.slice(0, nl);
        out = out.slice(nl + 1);
        const m = /register listener on 127\.0\.0\.1:(\d+) → terminal lane-(\d+)/.exec(line);
        if (m) found.set(Number(m[2]), Number(m[1]));
      }
      if (found.size === lanes) {
        child.stdout!.off('data', onData);
        child.stdout!.pipe(log, { end: false });
        resolve(Array.from({ length: lanes }, (_, i) => found.get(i + 1)!));
      }
    };
    child.stdout!.on('data', onData);
    child.once('exit', (code) => reject(new Error(`the bridge exited (${code}) before it was ready; see ${logFile}`)));
  });
  const readyMs = performance.now() - started;
  return {
    child,
    pid: child.pid!,
    ports,
    readyMs,
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        const t = setTimeout(() => child.kill('SIGKILL'), 10_000);
        child.once('exit', () => {
          clearTimeout(t);
          log.end();
          resolve();
        });
        child.kill('SIGTERM');
      }),
  };
}
