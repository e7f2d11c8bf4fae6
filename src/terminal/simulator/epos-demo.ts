/**
 * ePOS demo mode: the fake API Gateway on loopback plus a configuration entry that points an ePOS terminal at it,
 * so that the whole ePOS path (driver, client, gateway contract) runs without myPOS credentials.
 */
import { eposTerminalSchema, type EposTerminalConfig } from '../epos/config';
import { DEMO_EPOS, FakeEposGateway, type FakeEposGatewayOptions } from './epos-gateway';

export interface EposDemo {
  readonly gateway: FakeEposGateway;
  /** A `driver: "epos"` entry for the fake gateway (demo credentials, which are not secrets). */
  readonly config: EposTerminalConfig;
  close(): Promise<void>;
}

export async function startEposDemo(
  id = 'epos-demo',
  options: FakeEposGatewayOptions & { port?: number } = {},
): Promise<EposDemo> {
  const { port, ...gatewayOptions } = options;
  const gateway = new FakeEposGateway(gatewayOptions);
  const url = await gateway.start(port ?? 0, '127.0.0.1');
  const config = eposTerminalSchema.parse(demoEposTerminal(url, { id }));
  return { gateway, config, close: () => gateway.close() };
}

/**
 * The config entry of an ePOS terminal on the fake gateway at `gatewayUrl` with its demo credentials (as the
 * config file holds it, before validation); `over` replaces fields, e.g. secrets as environment references.
 */
export function demoEposTerminal(gatewayUrl: string, over: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    id: 'epos-demo',
    driver: 'epos',
    environment: 'demo',
    gatewayUrl,
    terminalId: DEMO_EPOS.terminalId,
    currency: DEMO_EPOS.currency,
    partnerId: DEMO_EPOS.partnerId,
    applicationId: DEMO_EPOS.applicationId,
    partnerClientId: DEMO_EPOS.partnerClientId,
    partnerSecret: DEMO_EPOS.partnerSecret,
    merchantClientId: DEMO_EPOS.merchantClientId,
    merchantSecret: DEMO_EPOS.merchantSecret,
    ...over,
  };
}
