/**
 * What a register shows its cashier, in the listener's language (RegisterContext.locale): the `message` of native
 * progress, result, status, cancel and error answers, the text protocol's message field and error texts, and the
 * texts the bridge sends a ZVT register. Built from the machine-readable parts only — stage, outcome, kind, host
 * response code, error code — so every word comes from the catalogue (`register` namespace). The English words of
 * the journal and the log (for the shop owner and support) stay as they are.
 */
import type { CancelAnswer, PaymentView } from '../bridge/api';
import type { BridgeError } from '../domain/errors';
import type { PaymentResult } from '../domain/payment';
import type { Stage } from '../domain/vocabulary';
import { languageOf, translator } from '../i18n/index';
import { hostCodeText } from '../receipts/layout';

export interface RegisterTexts {
  readonly locale: string | undefined;
  stage(stage: Stage): string;
  /** A known ref: the register attached to the recorded payment. */
  attached(): string;
  result(r: Pick<PaymentResult, 'outcome' | 'kind' | 'hostCode' | 'declineReason'>): string;
  /** A payment as a status answer shows it: its result, else its stage. */
  view(v: Pick<PaymentView, 'stage' | 'result'>): string;
  cancel(a: CancelAnswer): string;
  error(e: BridgeError, ctx?: { ref?: string }): string;
  lineTooLong(bytes: number): string;
  /** ZVT texts (TLV 1F17), short for a register's display. */
  zvtCheckTerminal(): string;
  zvtDeclined(r: Pick<PaymentResult, 'hostCode' | 'declineReason'>): string;
  zvtInternal(): string;
}

const cache = new Map<string, RegisterTexts>();

export function registerTexts(locale: string | undefined): RegisterTexts {
  const key = locale ?? '';
  let texts = cache.get(key);
  if (!texts) {
    texts = build(locale);
    cache.set(key, texts);
  }
  return texts;
}

function build(locale: string | undefined): RegisterTexts {
  const t = translator('register', locale);
  const english = languageOf(locale) === 'en';
  /** Why it was declined: the catalogue's words for the host code; in English also the terminal's own words. */
  const reasonOf = (r: Pick<PaymentResult, 'hostCode' | 'declineReason'>): string | undefined =>
    hostCodeText(r.hostCode, locale) ?? (english ? r.declineReason : undefined);
  const result = (r: Pick<PaymentResult, 'outcome' | 'kind' | 'hostCode' | 'declineReason'>): string => {
    switch (r.outcome) {
      case 'approved':
        if (r.kind === 'refund') return t('result.approvedRefund');
        if (r.kind === 'reversal') return t('result.approvedReversal');
        if (r.kind === 'preauth_cancel') return t('result.approvedRelease');
        return t('result.approved');
      case 'declined': {
        const reason = reasonOf(r);
        return reason ? t('result.declinedReason', { reason }) : t('result.declined');
      }
      case 'cancelled':
        return t('result.cancelled');
      case 'failed':
        return t('result.failed');
      case 'in_doubt':
        return t('result.inDoubt');
    }
  };
  return {
    locale,
    stage: (stage) => t(`stage.${stage}`),
    attached: () => t('attached'),
    result,
    view: (v) => (v.result ? result(v.result) : t(`stage.${v.stage}`)),
    cancel: (a) => {
      if (a.tookEffect) return t('cancel.tookEffect');
      if (a.pending) return t('cancel.pending');
      if (a.outcome === 'in_doubt') return t('cancel.inDoubt');
      if (a.outcome === 'approved') return t('cancel.tooLateApproved');
      return t('cancel.tooLate', { outcome: t(`outcome.${a.outcome ?? 'running'}`) });
    },
    error: (e, ctx = {}) => {
      const field = e.details?.['field'];
      if (e.code === 'bad_request' && typeof field === 'string') return t('error.bad_request_field', { field });
      if (e.code === 'unknown_ref') return t('error.unknown_ref', { ref: ctx.ref ?? '' });
      if (e.code === 'line_too_long')
        return t('error.line_too_long', { count: typeof e.details?.['bytes'] === 'number' ? e.details['bytes'] : 0 });
      return t(`error.${e.code}`);
    },
    lineTooLong: (bytes) => t('error.line_too_long', { count: bytes }),
    zvtCheckTerminal: () => t('zvt.checkTerminal'),
    zvtDeclined: (r) => {
      const reason = reasonOf(r);
      return reason ? t('zvt.declinedReason', { reason }) : t('zvt.declined');
    },
    zvtInternal: () => t('zvt.internal'),
  };
}
