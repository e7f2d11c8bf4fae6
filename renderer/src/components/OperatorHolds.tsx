import { type BridgeClient, type OperatorHoldView } from '../client/types';
import { useHoldDecision } from './useHoldDecision';
import { formatMoney, formatTime } from '../format';
import { Text, useT } from '../i18n';
import { HoldList } from './HoldList';

/**
 * Refunds and reversals a listener's money-out policy holds until a manager confirms them: the register waits
 * ("waiting for the manager"); Confirm sends the request to the terminal, Refuse answers the register with a
 * refusal. Shown at the top of the dashboard; plain buttons, so Tab and Enter do it all.
 */
export function OperatorHolds({
  client,
  holds,
  onDecided,
}: {
  client: BridgeClient;
  holds: OperatorHoldView[];
  onDecided(): void;
}) {
  const t = useT();
  const { busy, note, error, decide: run } = useHoldDecision(holds.map((h) => h.id).join(','), onDecided);

  const decide = (hold: OperatorHoldView, action: 'confirm' | 'refuse'): Promise<void> =>
    run(hold.id, async () => {
      const answer = await client.holdDecide({ id: hold.id, action });
      const values = { what: t(`kind.${hold.kind}`), amount: formatMoney(hold.amount) };
      return answer.action === 'confirmed' ? t('operatorHolds.confirmed', values) : t('operatorHolds.refused', values);
    });

  const first = holds[0];
  return (
    <HoldList
      prefix="operator-hold"
      announce={
        first ? t('operatorHolds.announce', { what: t(`kind.${first.kind}`), amount: formatMoney(first.amount) }) : ''
      }
      title={t('operatorHolds.title')}
      emptyTitle={t('operatorHolds.heldTitle')}
      busy={busy !== ''}
      note={note}
      error={error}
      items={holds.map((h) => ({
        id: h.id,
        question: (
          <Text
            k="operatorHolds.question"
            values={{ what: t(`kind.${h.kind}`), amount: formatMoney(h.amount), register: h.register }}
            tags={{ strong: <strong />, code: <span className="mono" /> }}
          />
        ),
        facts: (
          <Text
            k="operatorHolds.facts"
            values={{
              ref: h.ref,
              listener: h.listener,
              since: formatTime(h.since),
              reason: h.reason,
              expires: formatTime(h.expiresAt),
            }}
            tags={{ code: <span className="mono" /> }}
          />
        ),
        confirmLabel: t(h.kind === 'refund' ? 'operatorHolds.confirmRefund' : 'operatorHolds.confirmReversal', {
          amount: formatMoney(h.amount),
        }),
        refuseLabel: t('operatorHolds.refuse'),
        onConfirm: () => void decide(h, 'confirm'),
        onRefuse: () => void decide(h, 'refuse'),
      }))}
    />
  );
}
