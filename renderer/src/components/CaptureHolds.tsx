import { type BridgeClient, type CaptureHoldView } from '../client/types';
import { useHoldDecision } from './useHoldDecision';
import { formatMoney, formatTime } from '../format';
import { Text, useT } from '../i18n';
import { HoldList } from './HoldList';

/** Seconds (rounded up, at least 1) between the payment a total repeats and the moment it was seen again. */
function secondsBetween(fromIso: string, toIso: string): number {
  const ms = Date.parse(toIso) - Date.parse(fromIso);
  return Number.isFinite(ms) ? Math.max(1, Math.ceil(ms / 1000)) : 1;
}

/**
 * Totals a pole-display or printer capture held instead of charging, because the same total was charged moments
 * before: the cashier confirms (charge again) or discards each. Shown at the top of the dashboard.
 */
export function CaptureHolds({
  client,
  holds,
  onDecided,
}: {
  client: BridgeClient;
  holds: CaptureHoldView[];
  onDecided(): void;
}) {
  const t = useT();
  const { busy, note, error, decide: run } = useHoldDecision(holds.map((h) => h.id).join(','), onDecided);

  const decide = (hold: CaptureHoldView, action: 'confirm' | 'discard'): Promise<void> =>
    run(hold.id, async () => {
      const answer = await client.captureDecide({ id: hold.id, action });
      return answer.action === 'confirmed'
        ? t('holds.charging', { amount: formatMoney(hold.amount), ref: answer.ref })
        : t('holds.discarded', { amount: formatMoney(hold.amount) });
    });

  return (
    <HoldList
      prefix="hold"
      announce={holds.length ? t('holds.announce', { amount: formatMoney(holds[0]!.amount) }) : ''}
      title={t('holds.title')}
      emptyTitle={t('holds.heldTotals')}
      busy={busy !== ''}
      note={note}
      error={error}
      items={holds.map((h) => ({
        id: h.id,
        question: (
          <Text
            k="holds.question"
            values={{ amount: formatMoney(h.amount), seconds: secondsBetween(h.previousAt, h.firstSeenAt) }}
            tags={{ strong: <strong /> }}
          />
        ),
        facts: (
          <Text
            k={
              h.mode === 'printer'
                ? h.times > 1
                  ? 'holds.factsPrinterRepeated'
                  : 'holds.factsPrinter'
                : h.times > 1
                  ? 'holds.factsDisplayRepeated'
                  : 'holds.factsDisplay'
            }
            values={{
              listener: h.listener,
              text: h.text,
              times: h.times,
              seen: formatTime(h.lastSeenAt),
              ref: h.previousRef,
              charged: formatTime(h.previousAt),
            }}
            tags={{ code: <span className="mono" /> }}
          />
        ),
        confirmLabel: t('holds.confirm', { amount: formatMoney(h.amount) }),
        refuseLabel: t('holds.discard'),
        onConfirm: () => void decide(h, 'confirm'),
        onRefuse: () => void decide(h, 'discard'),
      }))}
    />
  );
}
