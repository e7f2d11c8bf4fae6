/**
 * Reads a V8 .cpuprofile (written by node --cpu-prof) and lists the functions with the most self time, so that
 * `npm run bench -- --profile DIR` shows where a bridge process spent its time without opening DevTools.
 * A synchronous native call (a SQLite commit waiting for fsync) counts as the time of the function that made it.
 */
import { readFileSync } from 'node:fs';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
}

interface CpuProfile {
  nodes: ProfileNode[];
  /** µs, CLOCK_MONOTONIC. */
  startTime: number;
  samples: number[];
  timeDeltas: number[];
}

/**
 * Top functions by self time. With `windows` ([start, end] in CLOCK_MONOTONIC µs, the profile's own clock), only
 * samples inside them count: the bridge process also lives through its start-up, the idle wait before the registers
 * connect and every baseline round (bridge and baseline alternate), and over its whole life "(idle)" mostly measures
 * those stretches, not waiting while it has sales to run.
 */
export function topFunctions(file: string, n = 15, windows?: ReadonlyArray<readonly [number, number]>): string[] {
  const p = JSON.parse(readFileSync(file, 'utf8')) as CpuProfile;
  const byId = new Map(p.nodes.map((node) => [node.id, node]));
  const self = new Map<string, number>();
  let total = 0;
  let at = p.startTime;
  for (let i = 0; i < p.samples.length; i++) {
    const dt = p.timeDeltas[i] ?? 0;
    at += dt;
    if (windows && !windows.some(([from, to]) => at > from && at <= to)) continue;
    const node = byId.get(p.samples[i]!);
    if (!node) continue;
    total += dt;
    const url = node.callFrame.url
      .replace(/^file:\/\/.*?\/node_modules\//, '')
      .replace(/^file:\/\/.*?\/(src|bench)\//, '$1/');
    const key = `${node.callFrame.functionName || '(anonymous)'} ${url}${url ? `:${node.callFrame.lineNumber + 1}` : ''}`;
    self.set(key, (self.get(key) ?? 0) + dt);
  }
  const lines = [...self]
    .sort((a, b) => b[1] - a[1])
    .slice(0, n)
    .map(([k, us]) => `${(us / 1000).toFixed(1).padStart(8)} ms ${((us / total) * 100).toFixed(1).padStart(5)}%  ${k}`);
  const scope = windows
    ? `${(total / 1000).toFixed(0)} ms while registers drove the bridge`
    : `${(total / 1000).toFixed(0)} ms, the whole process`;
  return [`(${scope})`, ...lines];
}
