import { useEffect, useState } from 'react';
import { errorText, RECEIPT_COLUMNS, type BridgeClient, type ReceiptView } from '../client/types';
import { ErrorNote, SelectField } from '../components/ui';

const WIDTH_OPTIONS = RECEIPT_COLUMNS.map((w) => ({ value: String(w), label: `${w} columns${w === 32 ? ' (58 mm paper)' : w === 48 ? ' (80 mm paper)' : ''}` }));

/**
 * A journal payment's receipt, both copies as the register's printer would print them, at a chosen width; "Reprint"
 * renders the duplicate and opens the system's print dialog with only the receipt on the page.
 */
export function Receipt({ client, paymentId, initial }: { client: BridgeClient; paymentId: string; initial: ReceiptView }) {
  const [receipt, setReceipt] = useState<ReceiptView>(initial);
  const [width, setWidth] = useState<string>(String(initial.width ?? 40));
  const [error, setError] = useState('');
  const [printing, setPrinting] = useState(false);

  useEffect(() => {
    setReceipt(initial);
    setWidth(String(initial.width ?? 40));
  }, [initial]);

  const load = async (w: string, duplicate: boolean): Promise<ReceiptView | undefined> => {
    try {
      const r = await client.journalReceipt({ id: paymentId, width: Number(w) as (typeof RECEIPT_COLUMNS)[number], duplicate });
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
      <h3 id="receipt-title">Receipt</h3>
      {!receipt.available ? (
        <p className="empty" data-testid="receipt-note">
          {receipt.note}
        </p>
      ) : (
        <>
          <div className="receipt-tools">
            <SelectField label="Printer width" name="receipt-width" value={width} options={WIDTH_OPTIONS} onChange={(v) => { setWidth(v); void load(v, false); }} />
            <div className="field field-actions">
              <button type="button" onClick={() => void reprint()}>
                Reprint (duplicate)
              </button>
            </div>
          </div>
          <div className="receipt-copies">
            <figure>
              <figcaption>Merchant copy{receipt.duplicate ? ' (duplicate)' : ''}</figcaption>
              <pre className="receipt-paper" data-copy="merchant" data-width={receipt.width}>{receipt.merchant.join('\n')}</pre>
            </figure>
            <figure>
              <figcaption>Customer copy{receipt.duplicate ? ' (duplicate)' : ''}</figcaption>
              <pre className="receipt-paper" data-copy="customer" data-width={receipt.width}>{receipt.customer.join('\n')}</pre>
            </figure>
          </div>
        </>
      )}
      <ErrorNote>{error}</ErrorNote>
    </section>
  );
}
