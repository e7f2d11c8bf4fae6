/**
 * ePOS efficiency: 1,000 payments through the ePOS driver against the fake myPOS API Gateway (real HTTP on loopback)
 * on a simulated clock shared by both, so two hours of gateway time pass in seconds. Counts the OAuth token and
 * session requests and reports them per hour (token, one per integration) and per merchant-hour (sessions).
 *
 * Expected by the lifetimes (mypos-api-gateway.md §4): a token lives 1 h and a session 5 min, and the client renews
 * each shortly before expiry, so at most 1 token per hour and 60 / 4.5 ≈ 13.3 sessions per merchant-hour.
 */
import { AuthRegistry } from '../src/terminal/epos/auth';
import { ManualClock } from '../src/terminal/epos/clock';
import { EposDriver } from '../src/terminal/epos/driver';
import { EposGatewayClient } from '../src/terminal/epos/gateway-client';
import { DEMO_EPOS, FakeEposGateway } from '../src/terminal/simulator/epos-gateway';
import { round } from './stats';

export interface EposResult {
  payments: number;
  approved: number;
  gatewayHours: number;
  wallMs: number;
  tokenRequests: number;
  tokensPerHour: number;
  sessionRequests: Record<string, number>;
  sessionsPerMerchantHour: number;
  /** Every request the gateway received, per payment (create + polls + auth). */
  requestsPerPayment: number;
  unauthorized: number;
  duplicateReferences: number;
}

const HOUR = 3_600_000;

export async function runEposBench(payments = 1000): Promise<EposResult> {
  const clock = new ManualClock();
  const merchants = [
    { clientId: 'cli_shop_a', clientSecret: 'sec_a' },
    { clientId: 'cli_shop_b', clientSecret: 'sec_b' },
  ];
  const gateway = new FakeEposGateway({
    clock,
    merchants,
    terminals: [
      { terminalId: '80000001', merchant: 'cli_shop_a', currency: 'EUR' },
      { terminalId: '80000002', merchant: 'cli_shop_b', currency: 'EUR' },
    ],
    approveDelayMs: 2_000,
  });
  const url = await gateway.start();
  const auth = new AuthRegistry();
  const driver = (terminalId: string, merchant: { clientId: string; clientSecret: string }): EposDriver =>
    new EposDriver({
      id: terminalId,
      terminalId,
      currency: 'EUR',
      clock,
      appVersion: 'bench',
      client: new EposGatewayClient({
        baseUrl: url,
        partnerId: DEMO_EPOS.partnerId,
        applicationId: DEMO_EPOS.applicationId,
        partnerClientId: DEMO_EPOS.partnerClientId,
        partnerSecret: DEMO_EPOS.partnerSecret,
        merchantClientId: merchant.clientId,
        merchantSecret: merchant.clientSecret,
        clock,
        auth,
        timeoutMs: 5_000,
      }),
    });
  const drivers = [driver('80000001', merchants[0]!), driver('80000002', merchants[1]!)];
  const started = performance.now();
  const start = clock.now();
  let approved = 0;
  try {
    for (let i = 0; i < payments; i++) {
      const controller = new AbortController();
      const o = await drivers[i % 2]!.execute(
        { kind: 'sale', amount: { minor: 1000 + (i % 90) * 100, currency: 'EUR' }, reference: `BENCH-${i}` },
        { signal: controller.signal, stage: () => undefined, beforeSend: async () => undefined },
      );
      if (o.outcome === 'approved') approved++;
      // Each payment takes 2 s of polling; the next customer comes 5.2 s later: 1,000 payments ≈ 2 hours.
      clock.advance(5_200);
    }
    const hours = (clock.now() - start) / HOUR;
    const sessionRequests = Object.fromEntries(
      merchants.map((m) => [m.clientId, gateway.sessionRequestTimes(m.clientId).length]),
    );
    const sessions = Object.values(sessionRequests).reduce((a, b) => a + b, 0);
    return {
      payments,
      approved,
      gatewayHours: round(hours, 2),
      wallMs: round(performance.now() - started, 0),
      tokenRequests: gateway.tokenRequestTimes.length,
      tokensPerHour: round(gateway.tokenRequestTimes.length / hours, 2),
      sessionRequests,
      sessionsPerMerchantHour: round(sessions / merchants.length / hours, 2),
      requestsPerPayment: round(gateway.requests.length / payments, 2),
      unauthorized: gateway.requests.filter((r) => r.status === 401).length,
      duplicateReferences: gateway.duplicateReferences().length,
    };
  } finally {
    await gateway.close();
  }
}
