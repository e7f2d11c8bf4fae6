/**
 * `npm run bench:ui`: the status page's production JavaScript size (gzipped) and how long Chromium takes to show
 * the dashboard (navigation until the terminal card is on screen), against the bridge with its simulated terminal.
 * Reports numbers only; nothing is asserted.
 *
 *   node --import tsx bench/ui-dashboard.ts [--runs N]
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { gzipSync } from 'node:zlib';
import { parseConfig } from '../src/config/load';
import { silentLogger } from '../src/log/logger';
import { startService } from '../src/service';
import { StatusCore } from '../src/status/core';
import { startStatusServer } from '../src/status/server';
import { buildRenderer } from '../test/e2e/build-renderer';
import { launchChromium } from '../test/e2e/chromium';

const { values } = parseArgs({ options: { runs: { type: 'string', default: '10' } } });
const runs = Math.max(1, Number(values.runs) || 10);

const kb = (n: number): string => `${(n / 1024).toFixed(1)} kB`;

const started = performance.now();
const outDir = await buildRenderer();
const buildMs = performance.now() - started;
const assets = join(outDir, 'assets');
let js = 0;
let jsGzip = 0;
let css = 0;
let cssGzip = 0;
for (const f of readdirSync(assets)) {
  const body = readFileSync(join(assets, f));
  const gz = gzipSync(body, { level: 9 }).length;
  if (f.endsWith('.js')) {
    js += body.length;
    jsGzip += gz;
  } else if (f.endsWith('.css')) {
    css += body.length;
    cssGzip += gz;
  }
}

const dataDir = mkdtempSync(join(tmpdir(), 'rb-bench-ui-'));
const config = parseConfig({
  dataDir,
  listeners: [{ id: 'pos', protocol: 'native', transport: { type: 'tcp', host: '127.0.0.1', port: 0 } }],
  terminals: [{ id: 'demo', driver: 'simulator', currency: 'EUR', stageDelayMs: 0 }],
  status: { enabled: false },
});
const log = silentLogger();
const service = await startService(config, { log, status: false });
const core = new StatusCore({ config, log });
core.attach(service);
const server = await startStatusServer({ core, host: '127.0.0.1', port: 0, staticDir: outDir, log });
const browser = await launchChromium();

const times: number[] = [];
try {
  for (let i = 0; i < runs + 1; i++) {
    // A fresh context per run: nothing cached, like a first visit.
    const context = await browser.newContext({ viewport: { width: 1280, height: 720 } });
    const page = await context.newPage();
    const t0 = performance.now();
    await page.goto(server.url);
    await page.locator('[data-terminal="demo"]').waitFor();
    const ms = performance.now() - t0;
    if (i > 0) times.push(ms); // the first run warms Chromium up
    await context.close();
  }
} finally {
  await browser.close();
  await server.close();
  core.detach();
  await service.close();
  rmSync(dataDir, { recursive: true, force: true });
  rmSync(outDir, { recursive: true, force: true });
}

times.sort((a, b) => a - b);
const median = times[Math.floor(times.length / 2)]!;
const report = {
  build_ms: Math.round(buildMs),
  js_bytes: js,
  js_gzip_bytes: jsGzip,
  css_bytes: css,
  css_gzip_bytes: cssGzip,
  dashboard_runs: times.length,
  dashboard_ms_min: Math.round(times[0]!),
  dashboard_ms_median: Math.round(median),
  dashboard_ms_max: Math.round(times[times.length - 1]!),
};
process.stdout.write(
  [
    `status page build: ${report.build_ms} ms`,
    `production JS: ${kb(js)} (${kb(jsGzip)} gzipped; budget 400 kB gzipped)`,
    `production CSS: ${kb(css)} (${kb(cssGzip)} gzipped)`,
    `time to dashboard in Chromium (navigation → terminal card shown), ${times.length} runs: ` +
      `min ${report.dashboard_ms_min} ms, median ${report.dashboard_ms_median} ms, max ${report.dashboard_ms_max} ms`,
    JSON.stringify(report),
  ].join('\n') + '\n',
);
