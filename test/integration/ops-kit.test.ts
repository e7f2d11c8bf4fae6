/**
 * The monitoring kit in ops/: the alert rules and the scrape config pass the real promtool, the Grafana dashboard
 * parses and its queries (and the alerts') name only metrics a running bridge exports, and a real Prometheus
 * scrapes a running bridge once.
 */
import { execFileSync, spawn } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join, resolve } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { Service } from '../../src/service';
import { startIppService } from '../helpers/ipp-service';
import { ensureTool } from '../helpers/system-tools';
import { tempDirs } from '../helpers/temp-dirs';

const root = resolve(import.meta.dirname, '..', '..');
const rulesFile = join(root, 'ops', 'prometheus', 'alerts.yml');
const scrapeFile = join(root, 'ops', 'prometheus', 'prometheus.yml');
const dashboardFile = join(root, 'ops', 'grafana', 'register-bridge-dashboard.json');
const tmp = tempDirs('rb-ops-kit-');
const stops: Array<() => Promise<unknown> | void> = [];
afterEach(async () => {
  for (const s of stops.splice(0).reverse()) await s();
});

async function runningBridge(): Promise<{ service: Service; port: number }> {
  const { service } = await startIppService(tmp(), (fn) => stops.push(fn), {
    status: true,
    bridge: { healthIntervalMs: 0 },
  });
  return { service, port: Number(new URL(service.statusUrl!).port) };
}

/** Metric families a scrape declares, with the series names histograms add. */
function exportedNames(scrape: string): Set<string> {
  const names = new Set<string>(['up']);
  for (const m of scrape.matchAll(/^# TYPE (\S+) (\S+)$/gm)) {
    names.add(m[1]!);
    if (m[2] === 'histogram') for (const s of ['_bucket', '_sum', '_count']) names.add(m[1]! + s);
  }
  return names;
}

/** Metric names a PromQL expression reads (identifiers that are not functions, keywords or label names). */
function metricNames(expr: string): string[] {
  const withoutLabels = expr
    .replace(/\{[^}]*\}/g, '')
    .replace(/\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)/g, '')
    .replace(/"[^"]*"/g, '');
  const words = withoutLabels.match(/[a-zA-Z_:][\w:]*/g) ?? [];
  const FUNCTIONS = new Set([
    'sum',
    'rate',
    'increase',
    'histogram_quantile',
    'abs',
    'le',
    'by',
    'avg',
    'max',
    'min',
    'count',
    'label_values',
  ]);
  return words.filter((w) => !FUNCTIONS.has(w) && !/^\d/.test(w) && !/^[smhdw]$/.test(w));
}

describe('ops/ monitoring kit', () => {
  it('alert rules pass promtool check rules and the scrape config passes promtool check config', () => {
    const promtool = ensureTool('promtool', 'prometheus');
    expect(execFileSync(promtool, ['check', 'rules', rulesFile], { encoding: 'utf8' })).toMatch(
      /SUCCESS: \d+ rules found/,
    );
    // The scrape config names a token file on the Prometheus host: check it with a stand-in beside a copy.
    const dir = tmp();
    writeFileSync(join(dir, 'token'), 'x'.repeat(43));
    writeFileSync(join(dir, 'alerts.yml'), readFileSync(rulesFile));
    writeFileSync(
      join(dir, 'prometheus.yml'),
      readFileSync(scrapeFile, 'utf8').replace('/etc/prometheus/register-bridge.token', join(dir, 'token')),
    );
    expect(execFileSync(promtool, ['check', 'config', join(dir, 'prometheus.yml')], { encoding: 'utf8' })).toMatch(
      /SUCCESS/,
    );
  });

  it('the dashboard parses and every query and alert names only metrics the bridge exports', async () => {
    const { port } = await runningBridge();
    const names = exportedNames(await (await fetch(`http://127.0.0.1:${port}/metrics`)).text());
    const dashboard = JSON.parse(readFileSync(dashboardFile, 'utf8')) as {
      panels: Array<{ title: string; targets: Array<{ expr: string }> }>;
    };
    expect(dashboard.panels.length).toBeGreaterThanOrEqual(5);
    const exprs = dashboard.panels.flatMap((p) => p.targets.map((t) => t.expr));
    exprs.push(...[...readFileSync(rulesFile, 'utf8').matchAll(/^\s+expr: (.+)$/gm)].map((m) => m[1]!));
    const used = new Set(exprs.flatMap(metricNames));
    expect([...used].filter((n) => !names.has(n))).toEqual([]);
    for (const wanted of [
      'register_bridge_payments_total',
      'register_bridge_terminal_up',
      'register_bridge_overhead_seconds_bucket',
      'register_bridge_terminal_response_seconds_bucket',
    ]) {
      expect(used).toContain(wanted);
    }
  });

  it('a real Prometheus scrapes a running bridge', async () => {
    const prometheus = ensureTool('prometheus', 'prometheus');
    const { port } = await runningBridge();
    const dir = tmp();
    writeFileSync(
      join(dir, 'prometheus.yml'),
      `global:\n  scrape_interval: 1s\nscrape_configs:\n  - job_name: register-bridge\n    static_configs:\n      - targets: ['127.0.0.1:${port}']\n`,
    );
    const webPort = await freePort();
    const child = spawn(
      prometheus,
      [
        `--config.file=${join(dir, 'prometheus.yml')}`,
        `--storage.tsdb.path=${join(dir, 'data')}`,
        `--web.listen-address=127.0.0.1:${webPort}`,
      ],
      { stdio: 'ignore' },
    );
    stops.push(() => {
      child.kill('SIGKILL');
    });
    const query = `http://127.0.0.1:${webPort}/api/v1/query?query=${encodeURIComponent('register_bridge_info')}`;
    const deadline = Date.now() + 30_000;
    let found: Array<{ metric: Record<string, string> }> = [];
    while (Date.now() < deadline && found.length === 0) {
      await new Promise((r) => setTimeout(r, 250));
      try {
        const body = (await (await fetch(query)).json()) as {
          data?: { result?: Array<{ metric: Record<string, string> }> };
        };
        found = body.data?.result ?? [];
      } catch {
        // Prometheus is still starting.
      }
    }
    expect(found.length).toBe(1);
    expect(found[0]!.metric.job).toBe('register-bridge');
  });
});

function freePort(): Promise<number> {
  return new Promise((res, rej) => {
    const s = createServer();
    s.once('error', rej);
    s.listen(0, '127.0.0.1', () => {
      const p = (s.address() as { port: number }).port;
      s.close(() => res(p));
    });
  });
}
