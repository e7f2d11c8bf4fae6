import { useState } from 'react';
import { errorText, RECEIPT_COLUMNS, type BridgeClient, type ReceiptView } from '../client/types';
import { ErrorNote, SelectField } from '../components/ui';
import { useT, type Translate } from '../i18n';
import { CoreSays } from '../i18n/core-text';

const widthOptions = (t: Translate) =>
  RECEIPT_COLUMNS.map((w) => ({
    value: String(w),
    label:
      w === 32
        ? t('receipt.columns58', { columns: w })
        : w === 48
          ? t('receipt.columns80', { columns: w })
          : t('receipt.columns', { columns: w }),
  }));

/**
 * A journal payment's receipt, both copies as the register's printer would print them, at a chosen width; "Reprint"
 * renders the duplicate and opens the system's print dialog with only the receipt on the page.
 */
export function Receipt({
  client,
  paymentId,
  initial,
}: {
  client: BridgeClient;
  paymentId: string;
  initial: ReceiptView;
}) {
  const t = useT();
  const [receipt, setReceipt] = useState<ReceiptView>(initial);
  const [width, setWidth] = useState<string>(String(initial.width ?? 40));
  const [error, setError] = useState('');
  const [printing, setPrinting] = useState(false);

  // A new receipt from the parent replaces the shown one, adjusted while rendering (React's way to reset state on a
  // prop change).
  const [shownInitial, setShownInitial] = useState(initial);
  if (shownInitial !== initial) {
    setShownInitial(initial);
    setReceipt(initial);
    setWidth(String(initial.width ?? 40));
  }

  const load = async (w: string, duplicate: boolean): Promise<ReceiptView | undefined> => {
    try {
      const r = await client.journalReceipt({
        id: paymentId,
        width: Number(w) as (typeof RECEIPT_COLUMNS)[number],
        duplicate,
      });
      setReceipt(r);
      setError('');
      return r;
    } catch (e) {
      setError(errorText(e));
      return undefined;
    }
  };

  const reprint = async (): Promise<void> => {
    const r = await load(width, true);
    if (!r?.available) return;
    setPrinting(true);
    // Let React put the duplicate on the page before the print dialog takes its picture.
    requestAnimationFrame(() => {
      window.print();
      setPrinting(false);
    });
  };

  return (
    <section className={`receipt${printing ? ' receipt-printing' : ''}`} aria-labelledby="receipt-title">
      <h3 id="receipt-title">{t('receipt.title')}</h3>
      {!receipt.available ? (
        <p className="empty" data-testid="receipt-note">
          <CoreSays text={receipt.note} code={receipt.noteCode} />
        </p>
      ) : (
        <>
          <div className="receipt-tools">
            <SelectField
              label={t('receipt.width')}
              name="receipt-width"
              value={width}
              options={widthOptions(t)}
              onChange={(v) => {
                setWidth(v);
                void load(v, false);
              }}
            />
            <div className="field field-actions">
              <button type="button" onClick={() => void reprint()}>
                {t('receipt.reprint')}
              </button>
            </div>
          </div>
          <div className="receipt-copies">
            <figure>
              <figcaption>{receipt.duplicate ? t('receipt.merchantDuplicate') : t('receipt.merchant')}</figcaption>
              <pre className="receipt-paper" data-copy="merchant" data-width={receipt.width}>
                {receipt.merchant.join('\n')}
              </pre>
            </figure>
            <figure>
              <figcaption>{receipt.duplicate ? t('receipt.customerDuplicate') : t('receipt.customer')}</figcaption>
              <pre className="receipt-paper" data-copy="customer" data-width={receipt.width}>
                {receipt.customer.join('\n')}
              </pre>
            </figure>
          </div>
        </>
      )}
      <ErrorNote>{error}</ErrorNote>
    </section>
  );
}
