import type { Outcome } from '../client/types';
import type { Translate } from '../i18n';
import { Badge } from './ui';

/** A payment's outcome as a badge, or "Running" while it has none. */
export function OutcomeBadge({ outcome, t }: { outcome: Outcome | null; t: Translate }) {
  return outcome ? (
    <Badge tone={outcome}>{t(`outcome.${outcome}`)}</Badge>
  ) : (
    <Badge tone="running">{t('outcome.running')}</Badge>
  );
}

/** The head of a table of payments (dashboard results, journal search): the same columns, then the view's own last one. */
export function PaymentsHead({ t, last }: { t: Translate; last: 'common.message' | 'common.register' }) {
  return (
    <thead>
      <tr>
        <th scope="col">{t('common.time')}</th>
        <th scope="col">{t('common.reference')}</th>
        <th scope="col">{t('common.kind')}</th>
        <th scope="col" className="num">
          {t('common.amount')}
        </th>
        <th scope="col">{t('common.terminal')}</th>
        <th scope="col">{t('common.outcome')}</th>
        <th scope="col">{t(last)}</th>
      </tr>
    </thead>
  );
}
