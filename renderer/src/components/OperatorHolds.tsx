import { type BridgeClient, type OperatorHoldView } from '../client/types';
import { useHoldDecision } from './useHoldDecision';
import { formatMoney, formatTime } from '../format';
import { Text, useT } from '../i18n';
import { ErrorNote } from './ui';


/**
 * Refunds and reversals a listener's money-out policy holds until a manager confirms them: the register waits
 * ("waiting for the manager"); Confirm sends the request to the terminal, Refuse answers the register with a
 * refusal. Shown at the top of the dashboard; plain buttons, so Tab and Enter do it all.
 */
export function OperatorHolds({ client, holds, onDecided }: { client: BridgeClient; holds: OperatorHoldView[]; onDecided(): void }) {
  const t = useT();
  const { busy, note, error, decide: run } = useHoldDecision(holds.map((h) => h.id).join(','), onDecided);

  const decide = (hold: OperatorHoldView, action: 'confirm' | 'refuse'): Promise<void> =>
    run(hold.id, async () => {
      const answer = await client.holdDecide({ id: hold.id, action });
      const values = { what: t(`kind.${hold.kind}`), amount: formatMoney(hold.amount) };
      return answer.action === 'confirmed' ? t('operatorHolds.confirmed', values) : t('operatorHolds.refused', values);
    });

  const first = holds[0];
  const announce = first ? t('operatorHolds.announce', { what: t(`kind.${first.kind}`), amount: formatMoney(first.amount) }) : '';
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
        {holds.length > 0 ? <h2 id="operator-holds-title">{t('operatorHolds.title')}</h2> : <h2 id="operator-holds-title" className="sr-only">{t('operatorHolds.heldTitle')}</h2>}
        <ul>
          {holds.map((h) => {
            const questionId = `operator-hold-q-${h.id}`;
            return (
              <li key={h.id} className="hold-item" data-operator-hold={h.id} role="group" aria-labelledby={questionId}>
                <p id={questionId} className="hold-question">
                  <Text k="operatorHolds.question" values={{ what: t(`kind.${h.kind}`), amount: formatMoney(h.amount), register: h.register }} tags={{ strong: <strong />, code: <span className="mono" /> }} />
                </p>
                <p className="hold-facts">
                  <Text
                    k="operatorHolds.facts"
                    values={{ ref: h.ref, listener: h.listener, since: formatTime(h.since), reason: h.reason, expires: formatTime(h.expiresAt) }}
                    tags={{ code: <span className="mono" /> }}
                  />
                </p>
                <div className="hold-actions">
                  <button type="button" className="primary" disabled={busy !== ''} onClick={() => void decide(h, 'confirm')} aria-describedby={questionId}>
                    {t(h.kind === 'refund' ? 'operatorHolds.confirmRefund' : 'operatorHolds.confirmReversal', { amount: formatMoney(h.amount) })}
                  </button>
                  <button type="button" disabled={busy !== ''} onClick={() => void decide(h, 'refuse')} aria-describedby={questionId}>
                    {t('operatorHolds.refuse')}
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
