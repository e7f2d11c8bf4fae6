import type { Outcome } from '../client/types';
import type { Translate } from '../i18n';
import { Badge } from './ui';

/** A payment's outcome as a badge, or "Running" while it has none. */
export function OutcomeBadge({ outcome, t }: { outcome: Outcome | null; t: Translate }) {
  return outcome ? <Badge tone={outcome}>{t(`outcome.${outcome}`)}</Badge> : <Badge tone="running">{t('outcome.running')}</Badge>;
}
