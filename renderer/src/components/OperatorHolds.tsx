import { type BridgeClient, type OperatorHoldView } from '../client/types';
import { useHoldDecision } from './useHoldDecision';
import { formatMoney, formatTime } from '../format';
import { ErrorNote } from './ui';

const KIND_WORDS: Record<OperatorHoldView['kind'], string> = { refund: 'Refund', reversal: 'Reversal' };

/**
 * Refunds and reversals a listener's money-out policy holds until a manager confirms them: the register waits
 * ("waiting for the manager"); Confirm sends the request to the terminal, Refuse answers the register with a
 * refusal. Shown at the top of the dashboard; plain buttons, so Tab and Enter do it all.
 */
export function OperatorHolds({ client, holds, onDecided }: { client: BridgeClient; holds: OperatorHoldView[]; onDecided(): void }) {
  const { busy, note, error, decide: run } = useHoldDecision(holds.map((h) => h.id).join(','), onDecided);

  const decide = (hold: OperatorHoldView, action: 'confirm' | 'refuse'): Promise<void> =>
    run(hold.id, async () => {
      const answer = await client.holdDecide({ id: hold.id, action });
      return answer.action === 'confirmed'
        ? `${KIND_WORDS[hold.kind]} of ${formatMoney(hold.amount)} confirmed: it goes to the terminal now.`
        : `${KIND_WORDS[hold.kind]} of ${formatMoney(hold.amount)} refused: the register is told, nothing is paid out.`;
    });

  const first = holds[0];
  const announce = first ? `${KIND_WORDS[first.kind]} of ${formatMoney(first.amount)} waits for a manager: Confirm or Refuse at the top of the dashboard.` : '';
  const live = (
    <div className="sr-only" aria-live="assertive" data-testid="operator-holds-announce">
      {announce}
    </div>
  );
  if (holds.length === 0 && !note && !error) return live;
  return (
    <>
      {live}
      <section className="holds" aria-labelledby="operator-holds-title">
        {holds.length > 0 ? <h2 id="operator-holds-title">Manager confirmation needed</h2> : <h2 id="operator-holds-title" className="sr-only">Held refunds and reversals</h2>}
        <ul>
          {holds.map((h) => {
            const questionId = `operator-hold-q-${h.id}`;
            return (
              <li key={h.id} className="hold-item" data-operator-hold={h.id} role="group" aria-labelledby={questionId}>
                <p id={questionId} className="hold-question">
                  {KIND_WORDS[h.kind]} of <strong>{formatMoney(h.amount)}</strong> from register <span className="mono">{h.register}</span> — pay it out?
                </p>
                <p className="hold-facts">
                  Reference <span className="mono">{h.ref}</span> on listener <span className="mono">{h.listener}</span>, held at {formatTime(h.since)} because it is {h.reason}.
                  The register waits; without a decision it is refused at {formatTime(h.expiresAt)}.
                </p>
                <div className="hold-actions">
                  <button type="button" className="primary" disabled={busy !== ''} onClick={() => void decide(h, 'confirm')} aria-describedby={questionId}>
                    Confirm {KIND_WORDS[h.kind].toLowerCase()} of {formatMoney(h.amount)}
                  </button>
                  <button type="button" disabled={busy !== ''} onClick={() => void decide(h, 'refuse')} aria-describedby={questionId}>
                    Refuse
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
