import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Bridge } from '../src/bridge/bridge';
import { Journal } from '../src/journal/journal';
import { silentLogger } from '../src/log/logger';
import { money } from '../src/domain/money';
import { approve, ScriptedDriver } from '../test/helpers/scripted-driver';

const N = Number(process.argv[2] ?? 3000);
const driver = new ScriptedDriver();
driver.settleAnswer = () => ({ ok: true, message: 'ok' });
const journal = Journal.open(mkdtempSync(join(tmpdir(), 'rb-core-')));
const bridge = new Bridge({ journal, terminals: [{ driver }], log: silentLogger(), version: 'x', healthIntervalMs: 0 });
await bridge.start();
const who = { listener: 'native', register: 'native' };
async function sale(i: number): Promise<void> {
  driver.script(approve(true));
  const h = await bridge.submit(who, { kind: 'sale', ref: `R${i}`, amount: money(1234, 'EUR') });
  await h.result;
  await bridge.delivery(who, `R${i}`, 'written', 'sale');
}
for (let i = 0; i < 300; i++) await sale(-i - 1);
const c0 = process.cpuUsage();
const t0 = performance.now();
for (let i = 0; i < N; i++) await sale(i);
await new Promise((r) => setTimeout(r, 50));
const c = process.cpuUsage(c0);
console.log(
  `core: ${N} sales, ${((c.user + c.system) / 1000 / N).toFixed(3)} ms CPU/sale (user ${(c.user / 1000 / N).toFixed(3)}, sys ${(c.system / 1000 / N).toFixed(3)}), ${((performance.now() - t0) / N).toFixed(3)} ms wall/sale, commits ${JSON.stringify(journal.commits)}`,
);
await bridge.close();
journal.close();
