/**
 * The real `Bridge` and a real journal file (group commit on) with scripted terminals and no register or socket: the
 * bridge's own work per sale, for bench/core-sale.ts and bench/sale-tail.ts. Each lane is a register with a terminal
 * of its own; every sale is approved (two-phase), its result reported written, and completed on the terminal.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Bridge } from '../src/bridge/bridge';
import { Journal } from '../src/journal/journal';
import { silentLogger } from '../src/log/logger';
import { money } from '../src/domain/money';
import { approve, ScriptedDriver } from '../test/helpers/scripted-driver';

export interface ScriptedSales {
  readonly journal: Journal;
  /** One sale on `lane` under the ref `R<n>`, until the register has reported its result written. */
  sale(lane: number, n: number): Promise<void>;
  /** `count` sales numbered from `first`, spread over the lanes, each lane one sale after another. */
  sales(count: number, first: number): Promise<void>;
  close(): Promise<void>;
}

export async function scriptedSales(lanes = 1): Promise<ScriptedSales> {
  const drivers = Array.from({ length: lanes }, (_, i) => {
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

  async function sale(lane: number, n: number): Promise<void> {
    const who = { listener: `l${lane}`, register: `r${lane}`, terminal: `t${lane + 1}` };
    drivers[lane]!.script(approve(true));
    const h = await bridge.submit(who, { kind: 'sale', ref: `R${n}`, amount: money(1234, 'EUR') });
    await h.result;
    await bridge.delivery(who, `R${n}`, 'written', 'sale');
  }
  return {
    journal,
    sale,
    sales: async (count, first) => {
      await Promise.all(
        Array.from({ length: lanes }, async (_, lane) => {
          for (let i = lane; i < count; i += lanes) await sale(lane, first + i);
        }),
      );
    },
    close: async () => {
      await bridge.close();
      journal.close();
    },
  };
}
