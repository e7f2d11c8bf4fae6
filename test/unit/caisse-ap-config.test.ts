/**
 * A Caisse-AP listener in the configuration: the protocol and its options are checked once (schema, registry, the
 * settings page's field-by-field check); Caisse-AP is TCP only and, like every protocol without authentication, stays on
 * loopback unless the listener lists its registers' addresses in `peers`.
 */
import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config/load';
import { BridgeError } from '../../src/domain/errors';
import { listenerOptionIssues } from '../../src/register/listener-options';
import { protocolFor } from '../../src/register/registry';

const config = (listener: Record<string, unknown>) => ({
  listeners: [
    { id: 'caisse', protocol: 'caisse-ap', transport: { type: 'tcp', host: '127.0.0.1', port: 8888 }, ...listener },
  ],
  terminals: [{ id: 'lane1', driver: 'simulator', currency: 'EUR' }],
});

describe('Caisse-AP listener configuration', () => {
  it('a listener with defaults gives the caisse-ap protocol', () => {
    const cfg = parseConfig(config({}));
    expect(protocolFor(cfg.listeners[0]!).name).toBe('caisse-ap');
  });

  it('options are checked by the registry at start: a mistake is config_invalid naming every field', () => {
    const cfg = parseConfig(config({ options: { immediateStatus: '12', quietMs: -1, colour: 'red' } }));
    let error: unknown;
    try {
      protocolFor(cfg.listeners[0]!);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(BridgeError);
    expect((error as BridgeError).code).toBe('config_invalid');
    expect((error as BridgeError).message).toMatch(/quietMs.*immediateStatus|immediateStatus.*quietMs/s);
  });

  it('the settings page names each bad option with its path', () => {
    expect(
      listenerOptionIssues(
        config({ options: { immediateStatus: '11', pushFinalAnswer: true, panMask: '*', allowRemote: false } }),
      ),
    ).toEqual([]);
    expect(listenerOptionIssues(config({ options: { panMask: 'x', quietMs: 0 } })).map((i) => i.field)).toEqual([
      'listeners[0].options.quietMs',
      'listeners[0].options.panMask',
    ]);
    expect(listenerOptionIssues(config({ options: { abortAfterMs: 200_000, answerDeadlineMs: 100_000 } }))).toEqual([
      {
        field: 'listeners[0].options.abortAfterMs',
        message: 'must be shorter than answerDeadlineMs',
        messageCode: { code: 'config.abortShorter' },
      },
    ]);
  });

  it('TCP only; beyond loopback only with a peers list', () => {
    expect(() => parseConfig(config({ transport: { type: 'serial', path: '/dev/ttyS0' } }))).toThrow(
      /served over TCP only/,
    );
    expect(() => parseConfig(config({ transport: { type: 'tcp', host: '0.0.0.0', port: 8888 } }))).toThrow(/peers/);
    expect(() =>
      parseConfig(config({ transport: { type: 'tcp', host: '0.0.0.0', port: 8888 }, options: { allowRemote: true } })),
    ).toThrow(/peers/);
    expect(
      parseConfig(config({ transport: { type: 'tcp', host: '0.0.0.0', port: 8888 }, peers: ['192.168.1.20'] }))
        .listeners,
    ).toHaveLength(1);
  });
});
