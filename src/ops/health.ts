/**
 * Liveness and readiness for supervisors and load balancers: `GET /healthz` answers while the process serves;
 * `GET /readyz` answers 200 only when the bridge can take a payment — the journal is open and answers, every
 * terminal was asked once and is not offline, every listener is bound (and its device open) — and otherwise 503
 * with what is not ready, in words.
 */
import type { Service } from '../service';

export interface ReadinessCheck {
  readonly name: string;
  readonly ok: boolean;
  /** Why not, for the operator; absent when ok. */
  readonly detail?: string;
}

export interface Readiness {
  readonly ready: boolean;
  readonly checks: ReadinessCheck[];
}

export function readiness(service: Service): Readiness {
  const checks: ReadinessCheck[] = [];
  try {
    service.journal.schemaVersion();
    checks.push({ name: 'journal', ok: true });
  } catch (e) {
    checks.push({ name: 'journal', ok: false, detail: `the journal does not answer: ${(e as Error).message}` });
  }
  for (const t of service.bridge.terminals()) {
    const name = `terminal ${t.id}`;
    if (t.state === 'offline') checks.push({ name, ok: false, detail: `offline${t.message ? `: ${t.message}` : ''}` });
    else if (t.state === 'recovering')
      checks.push({ name, ok: false, detail: 'recovering: asking the terminal about unfinished payments' });
    else if (t.message === undefined && t.lastSeen === undefined && t.state === 'ready' && !t.currentRef)
      checks.push({ name, ok: false, detail: 'not asked yet' });
    else checks.push({ name, ok: true });
  }
  for (const l of service.listeners) {
    const name = `listener ${l.id}`;
    const device = l.device?.();
    if (device && !device.open)
      checks.push({ name, ok: false, detail: `${l.address}: ${device.error ?? 'device not open'}` });
    else checks.push({ name, ok: true });
  }
  return { ready: checks.every((c) => c.ok), checks };
}
