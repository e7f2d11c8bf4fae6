/**
 * Start-to-ready: `register-bridge serve --config FILE` spawned, timed until it prints its listeners (it is
 * accepting registers from that moment), and its resident memory once idle. Also the two things the number is
 * made of, for diagnosis: bare Node start-up, and the same bridge bundled into one file (no TypeScript compiled at
 * start-up), which is how the desktop build ships it.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { laneConfig, ROOT, startBridge, type SimHost } from './processes';
import { round, rssOf, summarise } from './stats';

export interface StartupResult {
  /** ms from spawn to ready, as shipped (bin/register-bridge.mjs, TypeScript compiled by tsx at start-up). */
  readyMs: { median: number; max: number; runs: number[] };
  /** RSS 1 s after ready with one lane configured and no register connected, MiB. */
  idleRssMb: number;
  diagnostics?: {
    bareNodeMs: number;
    bundledReadyMs: number;
    bundledIdleRssMb: number;
  };
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

async function readyOnce(terminalPort: number, entry?: string): Promise<{ readyMs: number; idleRssMb: number }> {
  const dir = mkdtempSync(join(tmpdir(), 'rb-ready-'));
  try {
    const b = await startBridge(join(dir, 'config.json'), laneConfig(join(dir, 'data'), [terminalPort]), 1, join(dir, 'bridge.log'), [], entry);
    await sleep(1000);
    const idle = rssOf(b.pid)?.rss ?? Number.NaN;
    await b.stop();
    return { readyMs: b.readyMs, idleRssMb: idle };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Bundles src/cli.ts with esbuild (a dependency of tsx) into node_modules/.cache; undefined when that fails. */
function bundle(): string | undefined {
  const outDir = join(ROOT, 'node_modules', '.cache', 'register-bridge-bench');
  mkdirSync(outDir, { recursive: true });
  const out = join(outDir, 'cli.mjs');
  const esbuild = join(ROOT, 'node_modules', '.bin', 'esbuild');
  const r = spawnSync(esbuild, [join(ROOT, 'src', 'cli.ts'), '--bundle', '--platform=node', '--format=esm', '--packages=external', `--outfile=${out}`, '--log-level=error'], { cwd: ROOT });
  return r.status === 0 ? out : undefined;
}

export async function measureStartup(sims: SimHost, runs = 5, diagnostics = true): Promise<StartupResult> {
  const [port] = await sims.start(1);
  try {
    const shipped: Array<{ readyMs: number; idleRssMb: number }> = [];
    for (let i = 0; i < runs; i++) shipped.push(await readyOnce(port!));
    const ready = summarise(shipped.map((r) => r.readyMs));
    const result: StartupResult = {
      readyMs: { median: round(ready.p50, 1), max: round(ready.max, 1), runs: shipped.map((r) => round(r.readyMs, 1)) },
      idleRssMb: round(summarise(shipped.map((r) => r.idleRssMb)).p50, 1),
    };
    if (diagnostics) {
      const bare: number[] = [];
      for (let i = 0; i < 3; i++) {
        const s = performance.now();
        execFileSync(process.execPath, ['-e', '0']);
        bare.push(performance.now() - s);
      }
      const entry = bundle();
      if (entry) {
        const bundled: Array<{ readyMs: number; idleRssMb: number }> = [];
        for (let i = 0; i < 3; i++) bundled.push(await readyOnce(port!, entry));
        result.diagnostics = {
          bareNodeMs: round(summarise(bare).p50, 1),
          bundledReadyMs: round(summarise(bundled.map((r) => r.readyMs)).p50, 1),
          bundledIdleRssMb: round(summarise(bundled.map((r) => r.idleRssMb)).p50, 1),
        };
      }
    }
    return result;
  } finally {
    await sims.stop();
  }
}
