/**
 * A child process that hosts simulated myPOS terminals (IppSimulator, `fast: true`: no pacing between stages), one
 * per loopback port, so that neither the bridge's process nor the registers' process pays for the terminals.
 *
 * Driven over the fork IPC channel:
 *   { type: 'start', count }  → { type: 'started', ports }     a fresh set of terminals
 *   { type: 'stop' }          → { type: 'stopped', ledger }    closes them; ledger = what they recorded
 */
import { IppSimulator } from '../src/terminal/simulator/ipp-simulator';

export type SimHostRequest = { type: 'start'; count: number } | { type: 'stop' };

export interface SimLedgerSummary {
  /** Sales recorded open or completed (money taken), over all terminals. */
  readonly charges: number;
  /** Sales still open (COMPLETE_TX not received yet). */
  readonly open: number;
  /** References charged more than once. */
  readonly doubled: number;
}

export type SimHostAnswer = { type: 'started'; ports: number[] } | { type: 'stopped'; ledger: SimLedgerSummary };

let sims: IppSimulator[] = [];

async function start(count: number): Promise<number[]> {
  sims = Array.from({ length: count }, () => new IppSimulator({ fast: true, currency: 'EUR' }));
  return Promise.all(sims.map((s) => s.listen({ host: '127.0.0.1', port: 0 })));
}

async function stop(): Promise<SimLedgerSummary> {
  let charges = 0;
  let open = 0;
  let doubled = 0;
  for (const s of sims) {
    const seen = new Map<string, number>();
    for (const e of s.ledger()) {
      if (e.kind !== 'sale' || (e.state !== 'open' && e.state !== 'completed')) continue;
      charges++;
      if (e.state === 'open') open++;
      const ref = e.reference ?? e.sid;
      seen.set(ref, (seen.get(ref) ?? 0) + 1);
    }
    for (const n of seen.values()) if (n > 1) doubled++;
  }
  await Promise.all(sims.map((s) => s.close()));
  sims = [];
  return { charges, open, doubled };
}

process.on('message', (m: SimHostRequest) => {
  const reply = (a: SimHostAnswer): void => void process.send?.(a);
  if (m.type === 'start') void start(m.count).then((ports) => reply({ type: 'started', ports }));
  else if (m.type === 'stop') void stop().then((ledger) => reply({ type: 'stopped', ledger }));
});
process.on('disconnect', () => process.exit(0));
process.on('SIGTERM', () => process.exit(0));
