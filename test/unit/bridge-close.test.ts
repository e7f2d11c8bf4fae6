import { afterEach, describe, expect, it, vi } from 'vitest';
import { Bridge } from '../../src/bridge/bridge';
import { Journal } from '../../src/journal/journal';
import { createLogger } from '../../src/log/logger';
import { money } from '../../src/domain/money';
import { approve, ScriptedDriver } from '../helpers/scripted-driver';
import { tempDirs } from '../helpers/temp-dirs';

const tmp = tempDirs('rb-close-');
const who = { listener: 'pos', register: 'pos' };

afterEach(() => {
  vi.useRealTimers();
});

/** Lets promise chains and I/O callbacks run (real immediates; only the timers are fake). */
async function settle(rounds = 20): Promise<void> {
  for (let i = 0; i < rounds; i++) await new Promise<void>((r) => setImmediate(r));
}

describe('closing the bridge before the journal', () => {
  it('a payment waiting for its settlement when the service quits writes nothing after the journal closed', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'setInterval', 'clearInterval'] });
    const lines: string[] = [];
    const journal = Journal.open(tmp());
    const driver = new ScriptedDriver();
    const bridge = new Bridge({
      journal,
      terminals: [{ driver }],
      log: createLogger({ level: 'warn', destination: { write: (l: string) => lines.push(l) } }),
      version: 'test',
      healthIntervalMs: 0,
      deliveryTimeoutMs: 1000,
    });
    await bridge.start();
    driver.script(approve(true));
    const h = await bridge.submit(who, { kind: 'sale', ref: 'Q1', amount: money(100, 'EUR') });
    expect((await h.result).outcome).toBe('approved');
    // Approved on a two-phase terminal: the payment waits for the register's delivery report to settle it.
    expect(journal.get(h.id)!.settlement).toBe('pending');

    // The service's close order: the bridge, then the journal.
    await bridge.close();
    journal.close();
    // The delivery timer's time passes after the journal closed.
    vi.advanceTimersByTime(5000);
    await settle();

    expect(lines.join('\n')).not.toMatch(/database connection is not open/);
    expect(lines.filter((l) => l.includes('"level":"error"'))).toEqual([]);
    expect(driver.settled).toEqual([]);
    // The settlement is left to recovery at the next start, as after a crash: the register never reported delivery.
    const reopened = Journal.open(journal.path.replace(/\/journal\.sqlite$/, ''));
    try {
      expect(reopened.get(h.id)).toMatchObject({ outcome: 'approved', settlement: 'pending' });
    } finally {
      reopened.close();
    }
  });
});
