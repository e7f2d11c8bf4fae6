import { type BridgeClient, type CaptureHoldView } from '../client/types';
import { useHoldDecision } from './useHoldDecision';
import { formatMoney, formatTime } from '../format';
import { ErrorNote } from './ui';

/** Seconds (rounded up, at least 1) between the payment a total repeats and the moment it was seen again. */
function secondsBetween(fromIso: string, toIso: string): number {
  const ms = Date.parse(toIso) - Date.parse(fromIso);
  return Number.isFinite(ms) ? Math.max(1, Math.ceil(ms / 1000)) : 1;
}

/**
 * Totals a pole-display or printer capture held instead of charging, because the same total was charged moments
 * before: the cashier confirms (charge again) or discards each. Shown at the top of the dashboard.
 */
export function CaptureHolds({ client, holds, onDecided }: { client: BridgeClient; holds: CaptureHoldView[]; onDecided(): void }) {
  const { busy, note, error, decide: run } = useHoldDecision(holds.map((h) => h.id).join(','), onDecided);

  const decide = (hold: CaptureHoldView, action: 'confirm' | 'discard'): Promise<void> =>
    run(hold.id, async () => {
      const answer = await client.captureDecide({ id: hold.id, action });
      return answer.action === 'confirmed'
        ? `${formatMoney(hold.amount)} is being charged as payment ${answer.ref}.`
        : `${formatMoney(hold.amount)} discarded: nothing was charged.`;
    });

  // Always on the page, so that screen readers announce a total as soon as it is held.
  const announce = holds.length ? `Same total ${formatMoney(holds[0]!.amount)} again: charge again? Confirm or Discard at the top of the dashboard.` : '';
  const live = (
    <div className="sr-only" aria-live="assertive" data-testid="holds-announce">
      {announce}
    </div>
  );
  if (holds.length === 0 && !note && !error) return live;
  return (
    <>
      {live}
      <section className="holds" aria-labelledby="holds-title">
        {holds.length > 0 ? <h2 id="holds-title">Charge this total again?</h2> : <h2 id="holds-title" className="sr-only">Held totals</h2>}
        <ul>
          {holds.map((h) => {
            const seconds = secondsBetween(h.previousAt, h.firstSeenAt);
            const questionId = `hold-q-${h.id}`;
            return (
              <li key={h.id} className="hold-item" data-hold={h.id} role="group" aria-labelledby={questionId}>
                <p id={questionId} className="hold-question">
                  Same total <strong>{formatMoney(h.amount)}</strong> again within {seconds} s — charge again?
                </p>
                <p className="hold-facts">
                  The {h.mode === 'printer' ? 'receipt printer' : 'pole display'} listener <span className="mono">{h.listener}</span> saw{' '}
                  <span className="mono">{h.text}</span>
                  {h.times > 1 ? ` (${h.times} times)` : ''} at {formatTime(h.lastSeenAt)}; payment <span className="mono">{h.previousRef}</span> charged the
                  same total at {formatTime(h.previousAt)}. Nothing is charged until you decide.
                </p>
                <div className="hold-actions">
                  <button type="button" className="primary" disabled={busy !== ''} onClick={() => void decide(h, 'confirm')} aria-describedby={questionId}>
                    Confirm: charge {formatMoney(h.amount)}
                  </button>
                  <button type="button" disabled={busy !== ''} onClick={() => void decide(h, 'discard')} aria-describedby={questionId}>
                    Discard
                  </button>
                </div>
              </li>
            );
          })}
        </ul>
        <div aria-live="polite">{note ? <p role="status" className="hold-note">{note}</p> : null}</div>
        <ErrorNote>{error}</ErrorNote>
      </section>
    </>
  );
}
