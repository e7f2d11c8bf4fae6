/**
 * Reads a V8 .cpuprofile (written by node --cpu-prof) and lists where a bridge process spent its time, so that
 * `npm run bench -- --profile DIR` shows it without opening DevTools: the functions with the most self time, the
 * functions with the most inclusive time (their own and their callees', each function counted once per sample), and
 * self time per source module. A synchronous native call (a SQLite commit) counts as the time of the function that
 * made it.
 *
 * The bridge runs from its bundle (dist-cli/cli.cjs); esbuild marks where each source module begins in it
 * (`// src/journal/journal.ts`), so a bundle line is mapped back to its module.
 */
import { readFileSync } from 'node:fs';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}

interface CpuProfile {
  nodes: ProfileNode[];
  /** µs, CLOCK_MONOTONIC. */
  startTime: number;
  samples: number[];
  timeDeltas: number[];
}

export interface ProfileSummary {
  /** Sampled time inside the windows, ms. */
  totalMs: number;
  self: Array<{ name: string; ms: number }>;
  inclusive: Array<{ name: string; ms: number }>;
  modules: Array<{ name: string; ms: number }>;
}

/** Start lines of the modules in an esbuild bundle (its `// path` markers), ascending. */
function bundleModules(file: string): Array<{ line: number; module: string }> {
  const out: Array<{ line: number; module: string }> = [];
  let text: string;
  try {
    text = readFileSync(file, 'latin1');
  } catch {
    return out;
  }
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const m = /^\/\/ ((?:src|node_modules)\/\S+)$/.exec(lines[i]!);
    if (m) out.push({ line: i + 1, module: m[1]!.replace(/^node_modules\//, '') });
  }
  return out;
}

function moduleAt(markers: Array<{ line: number; module: string }>, line: number): string | undefined {
  let lo = 0;
  let hi = markers.length - 1;
  let found: string | undefined;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (markers[mid]!.line <= line) {
      found = markers[mid]!.module;
      lo = mid + 1;
    } else hi = mid - 1;
  }
  return found;
}

/**
 * Summarises a profile. With `windows` ([start, end] in CLOCK_MONOTONIC µs, the profile's own clock), only samples
 * inside them count: the bridge process also lives through its start-up, the idle wait before the registers connect
 * and every baseline round (bridge and baseline alternate), and over its whole life "(idle)" mostly measures those
 * stretches, not waiting while it has sales to run.
 */
export function summariseProfile(
  file: string,
  windows?: ReadonlyArray<readonly [number, number]>,
  n = 15,
): ProfileSummary {
  const p = JSON.parse(readFileSync(file, 'utf8')) as CpuProfile;
  const byId = new Map(p.nodes.map((node) => [node.id, node]));
  const parent = new Map<number, number>();
  for (const node of p.nodes) for (const c of node.children ?? []) parent.set(c, node.id);
  const bundles = new Map<string, Array<{ line: number; module: string }>>();
  const markersOf = (url: string): Array<{ line: number; module: string }> => {
    let m = bundles.get(url);
    if (!m) {
      m = url.endsWith('.cjs') && url.startsWith('file://') ? bundleModules(new URL(url).pathname) : [];
      bundles.set(url, m);
    }
    return m;
  };
  const keys = new Map<number, { fn: string; module: string }>();
  const keyOf = (node: ProfileNode): { fn: string; module: string } => {
    let k = keys.get(node.id);
    if (k) return k;
    const { url, lineNumber, functionName } = node.callFrame;
    const line = lineNumber + 1;
    let module = url
      .replace(/^file:\/\/.*?\/node_modules\//, '')
      .replace(/^file:\/\/.*?\/(src|bench)\//, '$1/')
      .replace(/^node:internal\/.*/, 'node (internal)');
    if (url.endsWith('.cjs')) module = moduleAt(markersOf(url), line) ?? module;
    if (!url) module = functionName.startsWith('(') ? functionName : '(native)';
    const where = !url ? '' : url.endsWith('.cjs') ? ` ${module} (cli.cjs:${line})` : ` ${module}:${line}`;
    k = { fn: `${functionName || '(anonymous)'}${where}`, module };
    keys.set(node.id, k);
    return k;
  };
  const self = new Map<string, number>();
  const inclusive = new Map<string, number>();
  const modules = new Map<string, number>();
  let total = 0;
  let at = p.startTime;
  for (let i = 0; i < p.samples.length; i++) {
    const dt = p.timeDeltas[i] ?? 0;
    at += dt;
    if (windows && !windows.some(([from, to]) => at > from && at <= to)) continue;
    const node = byId.get(p.samples[i]!);
    if (!node) continue;
    total += dt;
    const k = keyOf(node);
    self.set(k.fn, (self.get(k.fn) ?? 0) + dt);
    modules.set(k.module, (modules.get(k.module) ?? 0) + dt);
    const seen = new Set<string>();
    for (let id: number | undefined = node.id; id !== undefined; id = parent.get(id)) {
      const n2 = byId.get(id)!;
      if (n2.callFrame.functionName === '(root)') break;
      const fn = keyOf(n2).fn;
      if (seen.has(fn)) continue;
      seen.add(fn);
      inclusive.set(fn, (inclusive.get(fn) ?? 0) + dt);
    }
  }
  const top = (m: Map<string, number>, count: number): Array<{ name: string; ms: number }> =>
    [...m]
      .sort((a, b) => b[1] - a[1])
      .slice(0, count)
      .map(([name, us]) => ({ name, ms: us / 1000 }));
  return {
    totalMs: total / 1000,
    self: top(self, n),
    inclusive: top(inclusive, n),
    modules: top(modules, n),
  };
}

/** The summary as text lines: self time, inclusive time, modules. */
export function profileLines(s: ProfileSummary, scope: string): string[] {
  const row = ({ name, ms }: { name: string; ms: number }): string =>
    `${ms.toFixed(1).padStart(8)} ms ${((ms / Math.max(s.totalMs, 1e-9)) * 100).toFixed(1).padStart(5)}%  ${name}`;
  return [
    `(${s.totalMs.toFixed(0)} ms ${scope})`,
    'self time:',
    ...s.self.map(row),
    'inclusive time (the function and what it calls):',
    ...s.inclusive.map(row),
    'self time by module:',
    ...s.modules.map(row),
  ];
}
