/**
 * Start-to-ready: `register-bridge serve --config FILE` spawned, timed until it prints its listeners (it is
 * accepting registers from that moment), and its resident memory once idle. The command is bin/register-bridge.mjs
 * as `npm ci` leaves it: the caller builds the bundle first (processes.ts buildBundle, as the `prepare` script does),
 * so the bin runs it, not the sources. For diagnosis also bare Node start-up, and the bridge from its TypeScript sources
 * through tsx (what the command falls back to when a source is newer than the bundle).
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { laneConfig, ROOT, startBridge, type SimHost } from './processes';
import { round, rssOf, summarise } from './stats';

export interface StartupResult {
  /** ms from spawn to ready, as shipped (bin/register-bridge.mjs running the bundle dist-cli/cli.cjs). */
  readyMs: { median: number; max: number; runs: number[] };
  /** RSS 1 s after ready with one lane configured and no register connected, MiB. */
  idleRssMb: number;
  diagnostics?: {
    bareNodeMs: number;
    /** The sources through tsx (`node --import tsx src/cli.ts`): the command's fallback after a source edit. */
    sourceReadyMs: number;
    sourceIdleRssMb: number;
  };
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

async function readyOnce(
  terminalPort: number,
  entry?: string,
  nodeArgs: string[] = [],
): Promise<{ readyMs: number; idleRssMb: number }> {
  const dir = mkdtempSync(join(tmpdir(), 'rb-ready-'));
  try {
    const b = await startBridge(
      join(dir, 'config.json'),
      laneConfig(join(dir, 'data'), [terminalPort]),
      1,
      join(dir, 'bridge.log'),
      nodeArgs,
      entry,
    );
    await sleep(1000);
    const idle = rssOf(b.pid)?.rss ?? Number.NaN;
    await b.stop();
    return { readyMs: b.readyMs, idleRssMb: idle };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
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
      const source: Array<{ readyMs: number; idleRssMb: number }> = [];
      for (let i = 0; i < 3; i++) source.push(await readyOnce(port!, join(ROOT, 'src', 'cli.ts'), ['--import', 'tsx']));
      result.diagnostics = {
        bareNodeMs: round(summarise(bare).p50, 1),
        sourceReadyMs: round(summarise(source.map((r) => r.readyMs)).p50, 1),
        sourceIdleRssMb: round(summarise(source.map((r) => r.idleRssMb)).p50, 1),
      };
    }
    return result;
  } finally {
    await sims.stop();
  }
}
