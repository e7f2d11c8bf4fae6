/**
 * A Concert listener in the configuration: serial (and HID-to-UART) only — a TCP transport is refused naming the
 * field and pointing at Caisse-AP — its options checked field by field, and the serial line defaults (9600 8N1, the
 * 7E1 parity being done in software).
 */
import { describe, expect, it } from 'vitest';
import { configIssues, parseConfig } from '../../src/config/load';
import { listenerOptionIssues } from '../../src/register/listener-options';
import { protocolFor } from '../../src/register/registry';
import { serialSettings } from '../../src/transport/serial/settings';
import { BridgeError } from '../../src/domain/errors';

const terminals = [{ id: 'lane1', driver: 'simulator', currency: 'EUR' }];

describe('Concert listener configuration', () => {
  it('a TCP transport is a config error on transport.type that names Caisse-AP', () => {
    const issues = configIssues({
      listeners: [{ protocol: 'concert', transport: { type: 'tcp', host: '127.0.0.1', port: 7470 } }],
      terminals,
    });
    expect(issues).toEqual([
      expect.objectContaining({
        field: 'listeners[0].transport.type',
        message: expect.stringContaining('"caisse-ap"'),
      }),
    ]);
    expect(() =>
      protocolFor({ protocol: 'concert', transport: { type: 'tcp', host: '127.0.0.1', port: 7470 } } as never),
    ).toThrow(BridgeError);
  });

  it('serial is fine with defaults; bad options are named by their path', () => {
    const config = parseConfig({
      listeners: [{ protocol: 'concert', transport: { type: 'serial', path: 'COM3' } }],
      terminals,
    });
    expect(protocolFor(config.listeners[0]!).name).toBe('concert');
    const issues = listenerOptionIssues({
      listeners: [
        {
          protocol: 'concert',
          transport: { type: 'serial', path: 'COM3' },
          options: { line: '7N1', cardModes: [], answerDeadlineMs: 0 },
        },
        { protocol: 'concert', transport: { type: 'serial', path: 'COM4' }, options: { lnie: 'auto' } },
        {
          protocol: 'concert',
          transport: { type: 'serial', path: 'COM5' },
          options: { line: '7E1', type2: 'refuse', answerPrivate: 'receipt-number' },
        },
      ],
    });
    expect(issues.map((i) => i.field)).toEqual([
      'listeners[0].options.line',
      'listeners[0].options.cardModes',
      'listeners[0].options.answerDeadlineMs',
      'listeners[1].options',
    ]);
    expect(() =>
      protocolFor({
        protocol: 'concert',
        transport: { type: 'serial', path: 'COM3' },
        options: { line: '7N1' },
      } as never),
    ).toThrow(/options\.line/);
  });

  it('serial line defaults: 9600 8N1; what the config says wins', () => {
    expect(serialSettings({ path: 'COM3' }, 'concert')).toMatchObject({
      baudRate: 9600,
      dataBits: 8,
      parity: 'none',
      stopBits: 1,
    });
    expect(serialSettings({ path: 'COM3', baudRate: 1200 }, 'concert')).toMatchObject({ baudRate: 1200, dataBits: 8 });
  });
});
