/**
 * Monitoring on a running bridge: GET /metrics (Prometheus text format, checked by the real promtool), /healthz and
 * /readyz, through the service's own status server with the simulated terminal.
 */
import { execFileSync } from 'node:child_process';
import { afterEach, describe, expect, it } from 'vitest';
import type { Service } from '../../src/service';
import type { IppSimulator } from '../../src/terminal/simulator/ipp-simulator';
import { startIppService } from '../helpers/ipp-service';
import { NativeClient } from '../helpers/native-client';
import { ensureTool } from '../helpers/system-tools';
import { tempDirs } from '../helpers/temp-dirs';

const tmp = tempDirs('rb-metrics-');
const stops: Array<() => Promise<unknown> | void> = [];
afterEach(async () => {
  for (const s of stops.splice(0).reverse()) await s();
});

async function start(
  o: { healthIntervalMs?: number } = {},
): Promise<{ service: Service; sim: IppSimulator; base: string }> {
  const { service, sim } = await startIppService(tmp(), (fn) => stops.push(fn), {
    status: true,
    bridge: { healthIntervalMs: o.healthIntervalMs ?? 0, recoveryMinMs: 50, recoveryMaxMs: 200 },
  });
  return { service, sim, base: service.statusUrl!.replace(/\/$/, '') };
}

/** One sample's value from a scrape, or undefined. */
function sample(scrape: string, name: string, labels: Record<string, string> = {}): number | undefined {
  for (const line of scrape.split('\n')) {
    if (line.startsWith('#') || !line.startsWith(name)) continue;
    const m = /^([a-zA-Z_:][\w:]*)(\{([^}]*)\})? (\S+)$/.exec(line);
    if (!m || m[1] !== name) continue;
    const got = Object.fromEntries([...(m[3] ?? '').matchAll(/(\w+)="([^"]*)"/g)].map((x) => [x[1], x[2]]));
    if (Object.entries(labels).every(([k, v]) => got[k] === v)) return Number(m[4]);
  }
  return undefined;
}

async function until<T>(what: string, fn: () => Promise<T | undefined>, timeoutMs = 20_000): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

describe('GET /metrics', () => {
  it('counts an approved sale once, observes its duration, and passes promtool check metrics', async () => {
    const { service, base } = await start();
    const before = await (await fetch(`${base}/metrics`)).text();
    const approved = { terminal: 'lane1', kind: 'sale', outcome: 'approved' };
    expect(sample(before, 'register_bridge_payments_total', approved) ?? 0).toBe(0);
    const durationBefore =
      sample(before, 'register_bridge_payment_duration_seconds_count', { terminal: 'lane1', kind: 'sale' }) ?? 0;

    const c = await NativeClient.open(service.listeners[0]!.port!);
    stops.push(() => c.close());
    const r = await c.request({ op: 'sale', id: '1', ref: 'M-1', amount: 1234, currency: 'EUR' });
    expect(r.outcome).toBe('approved');

    const res = await fetch(`${base}/metrics`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
    const after = await res.text();
    expect(sample(after, 'register_bridge_payments_total', approved)).toBe(1);
    expect(sample(after, 'register_bridge_payment_duration_seconds_count', { terminal: 'lane1', kind: 'sale' })).toBe(
      durationBefore + 1,
    );
    expect(sample(after, 'register_bridge_terminal_response_seconds_count', { terminal: 'lane1' })).toBe(1);
    expect(sample(after, 'register_bridge_overhead_seconds_count', { terminal: 'lane1' })).toBe(1);
    expect(sample(after, 'register_bridge_terminal_up', { terminal: 'lane1', driver: 'ipp' })).toBe(1);
    expect(sample(after, 'register_bridge_register_connections', { listener: 'pos', protocol: 'native' })).toBe(1);
    expect(sample(after, 'register_bridge_journal_commits_total', { durability: 'grouped' })).toBeGreaterThan(0);
    expect(sample(after, 'register_bridge_journal_size_bytes')).toBeGreaterThan(0);
    expect(sample(after, 'register_bridge_payments_in_doubt')).toBe(0);
    expect(after).toMatch(/^process_cpu_seconds_total /m);

    // The same sale again (a resend) attaches and is not counted twice.
    await c.request({ op: 'sale', id: '2', ref: 'M-1', amount: 1234, currency: 'EUR' });
    expect(sample(await (await fetch(`${base}/metrics`)).text(), 'register_bridge_payments_total', approved)).toBe(1);

    const promtool = ensureTool('promtool', 'prometheus');
    // promtool prints lint problems and exits non-zero on any; the scrape must be clean.
    const out = execFileSync(promtool, ['check', 'metrics'], { input: after, encoding: 'utf8' });
    expect(out).toBe('');
  });

  it('answers loopback only unless the token is given from beyond (same gate as the API)', async () => {
    const { base } = await start();
    const res = await fetch(`${base}/metrics`, { method: 'POST' });
    expect(res.status).toBe(405);
    const foreign = await fetch(`${base}/metrics`, { headers: { origin: 'http://evil.example' } });
    expect(foreign.status).toBe(403);
  });
});

describe('GET /healthz and /readyz', () => {
  it('readyz turns 503 with the reason while the terminal is offline and 200 again when it returns', async () => {
    const { sim, base } = await start({ healthIntervalMs: 100 });
    expect((await fetch(`${base}/healthz`)).status).toBe(200);
    await until('ready', async () => ((await fetch(`${base}/readyz`)).status === 200 ? true : undefined));

    sim.offline(true);
    const down = await until('not ready', async () => {
      const res = await fetch(`${base}/readyz`);
      return res.status === 503 ? ((await res.json()) as { status: string; notReady: string[] }) : undefined;
    });
    expect(down.status).toBe('not_ready');
    expect(down.notReady.join('\n')).toMatch(/^terminal lane1: offline/m);
    expect((await fetch(`${base}/healthz`)).status).toBe(200);
    const scrape = await (await fetch(`${base}/metrics`)).text();
    expect(sample(scrape, 'register_bridge_terminal_up', { terminal: 'lane1', driver: 'ipp' })).toBe(0);

    sim.offline(false);
    const back = await until('ready again', async () => {
      const res = await fetch(`${base}/readyz`);
      return res.status === 200 ? ((await res.json()) as { status: string }) : undefined;
    });
    expect(back.status).toBe('ready');
  });
});
