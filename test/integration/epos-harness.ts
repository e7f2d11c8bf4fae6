/**
 * Shared set-up for the ePOS tests: the fake gateway on loopback, a manual clock shared by the fake and the
 * client (sleeping moves it, so hours of gateway time pass in moments), a client and a driver.
 */
import { ManualClock } from '../../src/terminal/epos/clock';
import { AuthRegistry } from '../../src/terminal/epos/auth';
import { EposGatewayClient, type EposClientOptions } from '../../src/terminal/epos/gateway-client';
import { EposDriver, type EposDriverOptions } from '../../src/terminal/epos/driver';
import { DEMO_EPOS, FakeEposGateway, type FakeEposGatewayOptions } from '../../src/terminal/simulator/epos-gateway';
import type { DriverContext, TerminalCommand } from '../../src/terminal/driver';
import type { Stage } from '../../src/domain/vocabulary';

export { DEMO_EPOS };

export interface Harness {
  gateway: FakeEposGateway;
  clock: ManualClock;
  auth: AuthRegistry;
  url: string;
  client(overrides?: Partial<EposClientOptions>): EposGatewayClient;
  driver(overrides?: Partial<EposDriverOptions>, client?: Partial<EposClientOptions>): EposDriver;
  close(): Promise<void>;
}

export async function startHarness(options: FakeEposGatewayOptions = {}): Promise<Harness> {
  const clock = new ManualClock();
  const gateway = new FakeEposGateway({ clock, ...options });
  const url = await gateway.start();
  const auth = new AuthRegistry();
  const client = (overrides: Partial<EposClientOptions> = {}): EposGatewayClient =>
    new EposGatewayClient({
      baseUrl: url,
      partnerId: DEMO_EPOS.partnerId,
      applicationId: DEMO_EPOS.applicationId,
      partnerClientId: DEMO_EPOS.partnerClientId,
      partnerSecret: DEMO_EPOS.partnerSecret,
      merchantClientId: DEMO_EPOS.merchantClientId,
      merchantSecret: DEMO_EPOS.merchantSecret,
      clock,
      auth,
      timeoutMs: 2_000,
      ...overrides,
    });
  return {
    gateway,
    clock,
    auth,
    url,
    client,
    driver: (overrides = {}, clientOverrides = {}) =>
      new EposDriver({
        id: 't1',
        terminalId: DEMO_EPOS.terminalId,
        currency: 'EUR',
        client: client(clientOverrides),
        clock,
        appVersion: '0.1.0',
        ...overrides,
      }),
    close: () => gateway.close(),
  };
}

export interface RecordingContext extends DriverContext {
  readonly stages: Array<{ stage: Stage; message?: string }>;
  readonly sent: string[];
  readonly controller: AbortController;
}

export function recordingContext(): RecordingContext {
  const controller = new AbortController();
  const stages: Array<{ stage: Stage; message?: string }> = [];
  const sent: string[] = [];
  return {
    signal: controller.signal,
    controller,
    stages,
    sent,
    stage: (stage, message) => void stages.push({ stage, ...(message !== undefined ? { message } : {}) }),
    beforeSend: async (ref) => void sent.push(ref),
  };
}

let counter = 0;
export function sale(minor: number, extra: Partial<TerminalCommand> = {}): TerminalCommand {
  counter++;
  return { kind: 'sale', amount: { minor, currency: 'EUR' }, reference: `REG1-${process.pid}-${counter}`, ...extra };
}
