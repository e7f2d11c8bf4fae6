import { describe, expect, it } from 'vitest';
import type { TerminalHealth } from '../../src/terminal/driver';
import { ScriptedDriver } from '../helpers/scripted-driver';
import { testLane } from '../helpers/bridge-parts';

/** The lane's state machine: every change through its own methods, each one announced. */

const health = (online: boolean, message = online ? 'ok' : 'gone'): TerminalHealth => ({
  online,
  checkedAt: '2026-12-07T12:00:00.000Z',
  message,
});

describe('Lane', () => {
  it('starts recovering; recovery at start ends ready; a payment makes it busy and back', () => {
    const { lane, views } = testLane(new ScriptedDriver());
    expect(lane.state).toBe('recovering');
    lane.endRecovery(true);
    lane.beginJob('R1');
    expect(lane.view()).toMatchObject({ state: 'busy', currentRef: 'R1', currency: 'EUR' });
    lane.endJob();
    expect(lane.view().currentRef).toBeUndefined();
    expect(views.map((v) => v.state)).toEqual(['ready', 'busy', 'ready']);
  });

  it('goes offline and back only through health answers, never while busy or recovering', () => {
    let back = 0;
    const { lane, views } = testLane(new ScriptedDriver(), { onBackOnline: () => void back++ });
    lane.applyHealth(health(false), true);
    expect(lane.state).toBe('recovering');
    lane.endRecovery(true);
    lane.beginJob('R1');
    lane.applyHealth(health(false), true);
    expect(lane.state).toBe('busy');
    lane.endJob();
    lane.applyHealth(health(false), true);
    expect(lane.state).toBe('offline');
    expect(() => lane.refuseIfOffline()).toThrow(expect.objectContaining({ code: 'terminal_offline' }));
    // Recovery while offline leaves it offline (later recoveries); back online is told once.
    lane.beginRecovery();
    lane.endRecovery(false);
    expect(lane.state).toBe('offline');
    lane.applyHealth(health(true), true);
    expect(lane.state).toBe('ready');
    expect(back).toBe(1);
    expect(views.at(-1)).toMatchObject({ state: 'ready', lastSeen: '2026-12-07T12:00:00.000Z', message: 'ok' });
  });

  it('a probe keeps what the last health check learnt, and is shown only when it changes something', () => {
    const { lane, views } = testLane(new ScriptedDriver());
    lane.endRecovery(true);
    lane.applyHealth({ ...health(true), terminalId: 'TID1' }, true);
    const shown = views.length;
    lane.applyHealth(health(true, 'probe'), false);
    expect(views.length).toBe(shown);
    expect(lane.view()).toMatchObject({ terminalId: 'TID1', message: 'ok' });
    lane.applyHealth(health(false, 'no answer'), false);
    expect(lane.view()).toMatchObject({ state: 'offline', terminalId: 'TID1', message: 'no answer' });
  });

  it('runs its tasks one at a time; stop drops what has not started and waits for what runs', async () => {
    const { lane } = testLane(new ScriptedDriver());
    const order: string[] = [];
    let release!: () => void;
    const first = lane.run(async () => {
      order.push('first');
      await new Promise<void>((r) => (release = r));
    });
    const dropped = lane.run(async () => void order.push('never'));
    void dropped;
    const urgent = lane.run(async () => void order.push('urgent'), true);
    void urgent;
    let stopped = false;
    const stopping = lane.stop().then(() => (stopped = true));
    await Promise.resolve();
    expect(stopped).toBe(false);
    release();
    await first;
    await stopping;
    expect(order).toEqual(['first']);
    expect(lane.view().queue).toBe(0);
  });
});
