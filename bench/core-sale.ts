/**
 * The bridge's own work per sale, without sockets: `node --import tsx bench/core-sale.ts [N] [LANES]` runs N sales
 * through the real `Bridge` and a real journal file (group commit on), LANES registers at once (default 1), each on a
 * scripted terminal of its own, and prints CPU per sale and the journal's commits and group flushes. Run it under
 * `--cpu-prof` for a profile of the bridge alone.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Bridge } from '../src/bridge/bridge';
import { Journal } from '../src/journal/journal';
import { silentLogger } from '../src/log/logger';
import { money } from '../src/domain/money';
import { approve, ScriptedDriver } from '../test/helpers/scripted-driver';

const N = Number(process.argv[2] ?? 3000);
const LANES = Number(process.argv[3] ?? 1);
const drivers = Array.from({ length: LANES }, (_, i) => {
  const d = new ScriptedDriver(`t${i + 1}`);
  d.settleAnswer = () => ({ ok: true, message: 'ok' });
  return d;
});
const journal = Journal.open(mkdtempSync(join(tmpdir(), 'rb-core-')));
const bridge = new Bridge({
  journal,
  terminals: drivers.map((driver) => ({ driver })),
  log: silentLogger(),
  version: 'x',
  healthIntervalMs: 0,
});
await bridge.start();

async function sale(lane: number, i: number): Promise<void> {
  const who = { listener: `l${lane}`, register: `r${lane}`, terminal: `t${lane + 1}` };
  drivers[lane]!.script(approve(true));
  const h = await bridge.submit(who, { kind: 'sale', ref: `R${i}`, amount: money(1234, 'EUR') });
  await h.result;
  await bridge.delivery(who, `R${i}`, 'written', 'sale');
}

/** `count` sales, spread over the lanes, each lane one sale after another. */
async function sales(count: number, first: number): Promise<void> {
  await Promise.all(
    Array.from({ length: LANES }, async (_, lane) => {
      for (let i = lane; i < count; i += LANES) await sale(lane, first + i);
    }),
  );
}

await sales(300, -1_000_000);
const flushes0 = journal.flushStats().flushes;
const c0 = process.cpuUsage();
const t0 = performance.now();
await sales(N, 0);
await new Promise((r) => setTimeout(r, 50));
const c = process.cpuUsage(c0);
console.log(
  `core: ${N} sales on ${LANES} lane(s), ${((c.user + c.system) / 1000 / N).toFixed(3)} ms CPU/sale (user ${(c.user / 1000 / N).toFixed(3)}, sys ${(c.system / 1000 / N).toFixed(3)}), ${((performance.now() - t0) / N).toFixed(3)} ms wall/sale, commits ${JSON.stringify(journal.commits)}, group flushes/sale ${((journal.flushStats().flushes - flushes0) / N).toFixed(2)}`,
);
await bridge.close();
journal.close();
