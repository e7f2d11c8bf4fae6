/** ECR17 listener options: checked field by field for the settings page, parsed once when the listener starts. */
import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config/load';
import { listenerOptionIssues } from '../../src/register/listener-options';
import { protocolFor } from '../../src/register/registry';
import { parseEcr17Options } from '../../src/register/ecr17/options';

const listener = (options?: Record<string, unknown>) => ({
  protocol: 'ecr17',
  transport: { type: 'tcp', host: '127.0.0.1', port: 10000 },
  ...(options ? { options } : {}),
});

describe('ECR17 listener options', () => {
  it("defaults are the sheet's common values", () => {
    expect(parseEcr17Options({})).toMatchObject({
      checkTerminalId: true,
      lrcMode: 'auto',
      ackTimeoutMs: 2000,
      retries: 3,
      progress: true,
      receiptOrder: 'before-result',
      reverseUnacknowledged: false,
      closeAfterPayment: true,
      panMask: '*',
      currency: 'EUR',
    });
  });

  it('the settings page gets each bad field by name; the config accepts the protocol', () => {
    const config = {
      listeners: [listener({ terminalId: '1234', lrcMode: 'crc', retries: 11, allowRemote: true })],
      terminals: [{ id: 't', driver: 'simulator' }],
    };
    expect(
      listenerOptionIssues(config)
        .map((i) => i.field)
        .sort(),
    ).toEqual(['listeners[0].options.lrcMode', 'listeners[0].options.retries', 'listeners[0].options.terminalId']);
    expect(
      listenerOptionIssues({ ...config, listeners: [listener({ terminalId: '12345678', lrcMode: 'stx' })] }),
    ).toEqual([]);
    const parsed = parseConfig({
      listeners: [listener()],
      terminals: [{ id: 't', driver: 'simulator' }],
      status: { enabled: false },
    });
    expect(parsed.listeners[0]!.protocol).toBe('ecr17');
  });

  it('a listener with bad options does not start (config_invalid); a good one serves ecr17', () => {
    const parsed = parseConfig({
      listeners: [listener()],
      terminals: [{ id: 't', driver: 'simulator' }],
      status: { enabled: false },
    });
    expect(protocolFor(parsed.listeners[0]!).name).toBe('ecr17');
    expect(() => protocolFor({ ...parsed.listeners[0]!, options: { ackTimeoutMs: -1 } })).toThrow(
      expect.objectContaining({ code: 'config_invalid' }),
    );
  });
});
