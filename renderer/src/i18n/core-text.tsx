/**
 * The core's coded texts in the page's language (src/i18n/core-text.ts): a terminal's health, a go-live step, a
 * security event, a refusal. The page writes each from its code and parameters with the `ui` catalogue's `core`
 * group; only a code this page does not know (a newer bridge) is shown as the English words the core sent, marked
 * `data-source="bridge"` like every text the page passes on as received.
 */
import type { ReactNode } from 'react';
import { UnknownCoreCode, writeCoreText, type CoreMessage, type LooseT } from '../../../src/i18n/core-text';
import type { PaymentView } from '../../../src/status/contract';
import en from '../../../src/i18n/locales/en/ui.json';
import { currentLanguage, translate, useT, type Translate } from './index';

type Tree = { readonly [key: string]: string | Tree };

/** The codes this page knows: every text of the English `core` group, plural forms under their base key. */
const KNOWN = new Set<string>();
(function collect(tree: Tree, prefix: string): void {
  for (const [k, v] of Object.entries(tree)) {
    if (typeof v === 'string') KNOWN.add(`${prefix}${k.replace(/_(zero|one|two|few|many|other)$/, '')}`);
    else collect(v, `${prefix}${k}.`);
  }
})(en.core as Tree, '');

export function isKnownCoreCode(code: string): boolean {
  return KNOWN.has(code);
}

/** The text in the page's language, or the received words when there is no code or an unknown one. */
export function coreWords(
  t: Translate,
  text: string | undefined,
  code: CoreMessage | undefined,
): { readonly text: string; readonly translated: boolean } {
  if (code) {
    try {
      return { text: writeCoreText(t as unknown as LooseT, code, isKnownCoreCode), translated: true };
    } catch (e) {
      if (!(e instanceof UnknownCoreCode)) throw e;
    }
  }
  return { text: text ?? '', translated: false };
}

/** `coreWords` outside React (error notes): the language in use now. */
export function coreWordsNow(text: string | undefined, code: CoreMessage | undefined): string {
  return coreWords(translate, text, code).text;
}

/** A coded text as an inline element (`as`: span, p, td, dd …). */
export function CoreSays({
  text,
  code,
  as: Tag = 'span',
  className,
}: {
  text: string | undefined;
  code: CoreMessage | undefined;
  as?: 'span' | 'p' | 'td' | 'dd' | 'li';
  className?: string;
}): ReactNode {
  const t = useT();
  const words = coreWords(t, text, code);
  return (
    <Tag className={className} data-source={words.translated ? undefined : 'bridge'}>
      {words.text}
    </Tag>
  );
}

/**
 * A payment's message. The journal's message is English words for the log and support; the page writes it from what
 * the bridge recorded — outcome, kind, host response code, stage — as a register's cashier reads it (the catalogue's
 * `payment` group, the same words as the register messages). An English page keeps the journal's own words, which
 * say a little more.
 */
export function paymentWords(
  t: Translate,
  p: Pick<PaymentView, 'outcome' | 'stage' | 'kind' | 'message' | 'result'>,
): { readonly text: string; readonly translated: boolean } {
  if (currentLanguage() === 'en') return { text: p.message, translated: false };
  switch (p.outcome) {
    case null:
      return { text: t(`stage.${p.stage}`), translated: true };
    case 'approved':
      if (p.kind === 'refund') return { text: t('payment.approvedRefund'), translated: true };
      if (p.kind === 'reversal') return { text: t('payment.approvedReversal'), translated: true };
      if (p.kind === 'preauth_cancel') return { text: t('payment.approvedRelease'), translated: true };
      return { text: t('payment.approved'), translated: true };
    case 'declined': {
      const code = p.result?.hostCode;
      const known = code !== undefined && Object.prototype.hasOwnProperty.call(en.payment.hostCode, code);
      return {
        text: known
          ? t('payment.declinedReason', { reason: t(`payment.hostCode.${code as keyof typeof en.payment.hostCode}`) })
          : t('payment.declined'),
        translated: true,
      };
    }
    case 'cancelled':
      return { text: t('payment.cancelled'), translated: true };
    case 'failed':
      return { text: t('payment.failed'), translated: true };
    case 'in_doubt':
      return { text: t('payment.inDoubt'), translated: true };
  }
}

/** A payment's message as an element (see paymentWords). */
export function PaymentSays({
  payment,
  as: Tag = 'span',
  className,
}: {
  payment: Pick<PaymentView, 'outcome' | 'stage' | 'kind' | 'message' | 'result'>;
  as?: 'span' | 'p';
  className?: string;
}): ReactNode {
  const t = useT();
  const words = paymentWords(t, payment);
  return (
    <Tag className={className} data-source={words.translated ? undefined : 'bridge'}>
      {words.text}
    </Tag>
  );
}
