/**
 * `npm run bench:ui`: the status page's production JavaScript size (gzipped; budget 400 kB) and how long Chromium
 * takes to show the dashboard, against the bridge with its simulated terminal (budget 1 s). Two clocks per run:
 * the page's own (navigation start until the terminal card is in the document, seen by a MutationObserver) and the
 * driver's (page.goto until the card is visible). Each run uses a fresh browser context (nothing cached).
 * Reports numbers only; nothing is asserted (test/unit/status-bundle.test.ts holds the size budget).
 *
 *   node --import tsx bench/ui-dashboard.ts [--runs N]
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { parseConfig } from '../src/config/load';
import { silentLogger } from '../src/log/logger';
import { startService } from '../src/service';
import { StatusCore } from '../src/status/core';
import { startStatusServer } from '../src/status/server';
import { buildRenderer, JS_GZIP_BUDGET_BYTES, weighBuild } from '../test/e2e/build-renderer';
import { launchChromium } from '../test/e2e/chromium';

const { values } = parseArgs({ options: { runs: { type: 'string', default: '10' } } });
const runs = Math.max(1, Number(values.runs) || 10);

const kb = (n: number): string => `${(n / 1024).toFixed(1)} kB`;

const started = performance.now();
const outDir = await buildRenderer();
const buildMs = performance.now() - started;
const { jsBytes: js, jsGzipBytes: jsGzip, cssBytes: css, cssGzipBytes: cssGzip, jsFiles } = weighBuild(outDir);

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
const inPage: number[] = [];
/** Where the page's time goes, per run: document received, script received, first /api/state answered. */
const phases = { document: [] as number[], script: [] as number[], state: [] as number[] };
/** Main-thread work of the page until the dashboard shows (Chromium's own counters): less sensitive to a busy machine. */
const work = { script: [] as number[], task: [] as number[] };
try {
  for (let i = 0; i < runs + 1; i++) {
    // A fresh context per run: nothing cached, like a first visit.
    const context = await browser.newContext({ viewport: { width: 1280, height: 720 } });
    const page = await context.newPage();
    // The page's own clock: milliseconds from navigation start until the terminal card enters the document.
    // (A string, not a function: the TypeScript loader would add helpers the page does not have.)
    await page.addInitScript(`
      new MutationObserver((_m, observer) => {
        if (document.querySelector('[data-terminal="demo"]')) {
          window.__dashboardShownAt = performance.now();
          observer.disconnect();
        }
      }).observe(document, { childList: true, subtree: true });
    `);
    const cdp = await context.newCDPSession(page);
    await cdp.send('Performance.enable');
    const t0 = performance.now();
    await page.goto(server.url);
    await page.locator('[data-terminal="demo"]').waitFor();
    const ms = performance.now() - t0;
    const shownAt = (await page.evaluate('window.__dashboardShownAt ?? NaN')) as number;
    const timing = (await page.evaluate(`(() => {
      const nav = performance.getEntriesByType('navigation')[0];
      const res = performance.getEntriesByType('resource');
      const script = res.find((r) => r.name.endsWith('.js'));
      const state = res.find((r) => r.name.includes('/api/state'));
      return { document: nav ? nav.responseEnd : NaN, script: script ? script.responseEnd : NaN, state: state ? state.responseEnd : NaN };
    })()`)) as { document: number; script: number; state: number };
    const { metrics } = await cdp.send('Performance.getMetrics');
    const metric = (name: string): number => (metrics.find((m) => m.name === name)?.value ?? NaN) * 1000;
    if (i > 0) {
      // the first run warms Chromium up
      work.script.push(metric('ScriptDuration'));
      work.task.push(metric('TaskDuration'));
      times.push(ms);
      inPage.push(shownAt);
      phases.document.push(timing.document);
      phases.script.push(timing.script);
      phases.state.push(timing.state);
    }
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

const spread = (xs: number[]): { min: number; median: number; max: number } => {
  const s = [...xs].sort((a, b) => a - b);
  return {
    min: Math.round(s[0]!),
    median: Math.round(s[Math.floor(s.length / 2)]!),
    max: Math.round(s[s.length - 1]!),
  };
};
const driver = spread(times);
const page = spread(inPage);
const median = (xs: number[]): number => spread(xs).median;
const report = {
  build_ms: Math.round(buildMs),
  js_files: jsFiles.length,
  js_bytes: js,
  js_gzip_bytes: jsGzip,
  js_gzip_budget_bytes: JS_GZIP_BUDGET_BYTES,
  css_bytes: css,
  css_gzip_bytes: cssGzip,
  dashboard_runs: times.length,
  dashboard_page_ms_min: page.min,
  dashboard_page_ms_median: page.median,
  dashboard_page_ms_max: page.max,
  phase_document_ms_median: median(phases.document),
  phase_script_ms_median: median(phases.script),
  phase_state_ms_median: median(phases.state),
  main_thread_script_ms_median: median(work.script),
  main_thread_task_ms_median: median(work.task),
  dashboard_ms_min: driver.min,
  dashboard_ms_median: driver.median,
  dashboard_ms_max: driver.max,
  cpus: cpus().length,
  load_average_1m: Number(loadavg()[0]!.toFixed(2)),
};
process.stdout.write(
  [
    `status page build: ${report.build_ms} ms`,
    `production JS: ${jsFiles.length} file(s), ${kb(js)} (${kb(jsGzip)} gzipped; budget ${kb(JS_GZIP_BUDGET_BYTES)} gzipped)`,
    `production CSS: ${kb(css)} (${kb(cssGzip)} gzipped)`,
    `time to dashboard in Chromium, ${times.length} runs, fresh context each (budget 1000 ms):`,
    `  page clock (navigation start → terminal card in the document): min ${page.min} ms, median ${page.median} ms, max ${page.max} ms`,
    `  medians of the page's phases: document received ${report.phase_document_ms_median} ms, script received ${report.phase_script_ms_median} ms, ` +
      `first /api/state answered ${report.phase_state_ms_median} ms`,
    `  main-thread work until then (Chromium counters, medians): script ${report.main_thread_script_ms_median} ms, all tasks ${report.main_thread_task_ms_median} ms`,
    `  driver clock (page.goto → terminal card visible): min ${driver.min} ms, median ${driver.median} ms, max ${driver.max} ms`,
    `machine: ${report.cpus} CPUs, load average ${report.load_average_1m} when done`,
    JSON.stringify(report),
  ].join('\n') + '\n',
);
