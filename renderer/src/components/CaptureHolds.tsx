import { type BridgeClient, type CaptureHoldView } from '../client/types';
import { useHoldDecision } from './useHoldDecision';
import { formatMoney, formatTime } from '../format';
import { Text, useT } from '../i18n';
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
  const t = useT();
  const { busy, note, error, decide: run } = useHoldDecision(holds.map((h) => h.id).join(','), onDecided);

  const decide = (hold: CaptureHoldView, action: 'confirm' | 'discard'): Promise<void> =>
    run(hold.id, async () => {
      const answer = await client.captureDecide({ id: hold.id, action });
      return answer.action === 'confirmed'
        ? t('holds.charging', { amount: formatMoney(hold.amount), ref: answer.ref })
        : t('holds.discarded', { amount: formatMoney(hold.amount) });
    });

  // Always on the page, so that screen readers announce a total as soon as it is held.
  const announce = holds.length ? t('holds.announce', { amount: formatMoney(holds[0]!.amount) }) : '';
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
        {holds.length > 0 ? <h2 id="holds-title">{t('holds.title')}</h2> : <h2 id="holds-title" className="sr-only">{t('holds.heldTotals')}</h2>}
        <ul>
          {holds.map((h) => {
            const seconds = secondsBetween(h.previousAt, h.firstSeenAt);
            const questionId = `hold-q-${h.id}`;
            return (
              <li key={h.id} className="hold-item" data-hold={h.id} role="group" aria-labelledby={questionId}>
                <p id={questionId} className="hold-question">
                  <Text k="holds.question" values={{ amount: formatMoney(h.amount), seconds }} tags={{ strong: <strong /> }} />
                </p>
                <p className="hold-facts">
                  <Text
                    k={h.mode === 'printer' ? (h.times > 1 ? 'holds.factsPrinterRepeated' : 'holds.factsPrinter') : h.times > 1 ? 'holds.factsDisplayRepeated' : 'holds.factsDisplay'}
                    values={{ listener: h.listener, text: h.text, times: h.times, seen: formatTime(h.lastSeenAt), ref: h.previousRef, charged: formatTime(h.previousAt) }}
                    tags={{ code: <span className="mono" /> }}
                  />
                </p>
                <div className="hold-actions">
                  <button type="button" className="primary" disabled={busy !== ''} onClick={() => void decide(h, 'confirm')} aria-describedby={questionId}>
                    {t('holds.confirm', { amount: formatMoney(h.amount) })}
                  </button>
                  <button type="button" disabled={busy !== ''} onClick={() => void decide(h, 'discard')} aria-describedby={questionId}>
                    {t('holds.discard')}
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
