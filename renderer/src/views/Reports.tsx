import { useCallback, useEffect, useRef, useState, type FormEvent } from 'react';
import type { Subscribe } from '../App';
import { errorText, type BridgeClient, type DayReportsView, type DayTotals, type EndOfDayReport, type ReconciliationReport, type StatusEvent } from '../client/types';
import { ErrorNote, TextField } from '../components/ui';
import { downloadText } from '../download';
import { formatMoney, formatSigned, formatTime, KIND_LABELS } from '../format';
import { reconciliationCsv, reconciliationJson, totalsCsv, totalsJson } from '../../../src/reports/export';
import type { ReconItem } from '../../../src/reports/reconcile';

type Ask = '' | 'close' | 'reconcile';

/** The discrepancy lists of a reconciliation, in the order the report names them. */
const RECON_LISTS = [
  { key: 'missingAtHost', kind: 'missing_at_host', label: 'Missing at the host' },
  { key: 'missingInJournal', kind: 'missing_in_journal', label: 'Missing in the journal' },
  { key: 'amountMismatch', kind: 'amount_mismatch', label: 'Amount mismatch' },
  { key: 'statusMismatch', kind: 'status_mismatch', label: 'Status mismatch' },
  { key: 'inDoubt', kind: 'in_doubt', label: 'In doubt, still open' },
  { key: 'unverified', kind: 'unverified', label: 'Not verified (host not reachable)' },
] as const;

function Sum({ count, minor, currency }: { count: number; minor: number; currency: string }) {
  return (
    <>
      <td className="num">{count}</td>
      <td className="num">{formatSigned(minor, currency)}</td>
    </>
  );
}

function TotalsTables({ totals }: { totals: DayTotals }) {
  if (totals.currencies.length === 0) return <p className="empty">No finished payment in this business day yet.</p>;
  return (
    <>
      {totals.currencies.map((c) => (
        <div key={c.currency} className="card" data-currency={c.currency}>
          <h3>{c.currency}</h3>
          <div className="table-wrap">
            <table className="results report-table" data-testid={`totals-${c.currency}`}>
              <caption className="sr-only">Totals in {c.currency}</caption>
              <thead>
                <tr>
                  <th scope="col">Line</th>
                  <th scope="col" className="num">Count</th>
                  <th scope="col" className="num">Amount</th>
                </tr>
              </thead>
              <tbody>
                {([
                  ['Sales', c.sales],
                  ['of which tips', c.tips],
                  ['Refunds', c.refunds],
                  ['Reversals', c.reversals],
                  ['Refund reversals', c.refundReversals],
                  ['Pre-authorisations (held, not in net)', c.preauths],
                ] as const).map(([label, s]) => (
                  <tr key={label}>
                    <th scope="row">{label}</th>
                    <Sum count={s.count} minor={s.minor} currency={c.currency} />
                  </tr>
                ))}
                <tr className="net-row" data-testid="net">
                  <th scope="row">Net</th>
                  <td />
                  <td className="num">
                    <strong>{formatSigned(c.net, c.currency)}</strong>
                  </td>
                </tr>
              </tbody>
            </table>
          </div>
          <div className="columns">
            <Breakdown
              caption="By card scheme"
              head={['Scheme', 'Sales', 'Refunds', 'Reversals', 'Net']}
              rows={c.schemes.map((s) => ({
                key: s.scheme,
                attrs: { 'data-scheme': s.scheme },
                name: s.scheme,
                cells: [
                  `${s.sales.count} · ${formatSigned(s.sales.minor, c.currency)}`,
                  `${s.refunds.count} · ${formatSigned(s.refunds.minor, c.currency)}`,
                  `${s.reversals.count + s.refundReversals.count} · ${formatSigned(s.reversals.minor + s.refundReversals.minor, c.currency)}`,
                  formatSigned(s.net, c.currency),
                ],
              }))}
            />
            <Breakdown
              caption="By transaction type"
              head={['Type', 'Approved', 'Declined', 'Cancelled', 'Failed', 'Net']}
              rows={c.types.map((t) => ({
                key: t.kind,
                attrs: { 'data-kind': t.kind },
                name: KIND_LABELS[t.kind] ?? t.kind,
                cells: [`${t.approved.count} · ${formatSigned(t.approved.minor, c.currency)}`, t.declined, t.cancelled, t.failed, formatSigned(t.net, c.currency)],
              }))}
            />
          </div>
        </div>
      ))}
    </>
  );
}

/** A breakdown of the day's totals: one named row per scheme or type, numeric columns after the name. */
function Breakdown({ caption, head, rows }: { caption: string; head: readonly string[]; rows: ReadonlyArray<{ key: string; attrs: Record<string, string>; name: string; cells: ReadonlyArray<string | number> }> }) {
  return (
    <div className="table-wrap">
      <table className="results report-table">
        <caption>{caption}</caption>
        <thead>
          <tr>
            {head.map((h, i) => (
              <th key={h} scope="col" className={i > 0 ? 'num' : undefined}>
                {h}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {rows.map((r) => (
            <tr key={r.key} {...r.attrs}>
              <th scope="row">{r.name}</th>
              {r.cells.map((cell, i) => (
                <td key={i} className="num">
                  {cell}
                </td>
              ))}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

function amountOf(m: { minor: number; currency: string } | undefined, text?: string): string {
  return m ? formatMoney(m) : text ?? '—';
}

function ReconItems({ items }: { items: readonly ReconItem[] }) {
  return (
    <div className="table-wrap">
      <table className="results report-table">
        <thead>
          <tr>
            <th scope="col">Terminal</th>
            <th scope="col">Reference</th>
            <th scope="col">Journal</th>
            <th scope="col">Host</th>
            <th scope="col" className="num">Difference</th>
            <th scope="col">Note</th>
          </tr>
        </thead>
        <tbody>
          {items.map((i, n) => (
            <tr key={`${i.paymentId ?? i.hostId ?? ''}-${n}`} data-ref={i.ref ?? i.reference ?? ''}>
              <td>{i.terminal}</td>
              <td className="mono">{i.ref ?? i.reference ?? i.hostId ?? '—'}</td>
              <td>{i.journalStatus ? `${i.journalStatus.replace('_', ' ')} · ${amountOf(i.journalAmount)}` : '—'}</td>
              <td>{i.hostStatus ? `${i.hostStatusText ?? i.hostStatus} · ${amountOf(i.hostAmount, i.hostAmountText)}` : '—'}</td>
              <td className="num">{i.difference !== undefined && i.journalAmount ? formatSigned(i.difference, i.journalAmount.currency) : '—'}</td>
              <td>{i.note}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

function Reconciliation({ report }: { report: ReconciliationReport }) {
  const stamp = `${report.businessDay}`;
  return (
    <div data-testid="reconciliation" data-generated={report.generatedAt}>
      <p>
        Run at {formatTime(report.generatedAt)} for business day {report.businessDay}:{' '}
        <strong data-testid="recon-verdict">{report.clean ? 'everything matches.' : 'discrepancies found.'}</strong>
      </p>
      <ul className="recon-summary" aria-label="Reconciliation summary">
        <li data-kind="matched">Matched: {report.summary.matched}</li>
        {RECON_LISTS.map((l) => (
          <li key={l.kind} data-kind={l.kind} className={report.summary[l.kind] > 0 ? 'recon-bad' : undefined}>
            {l.label}: {report.summary[l.kind]}
          </li>
        ))}
      </ul>
      <ul className="plain-list">
        {report.terminals.map((t) => (
          <li key={t.terminal}>
            Terminal <strong>{t.terminal}</strong>: {t.ok ? '' : 'not verified — '}
            {t.message}
          </li>
        ))}
      </ul>
      {report.totals.length > 0 ? (
        <div className="table-wrap">
          <table className="results report-table" data-testid="recon-totals">
            <caption>Charged, per currency (compared items)</caption>
            <thead>
              <tr>
                <th scope="col">Currency</th>
                <th scope="col" className="num">Journal</th>
                <th scope="col" className="num">Host</th>
                <th scope="col" className="num">Difference</th>
              </tr>
            </thead>
            <tbody>
              {report.totals.map((t) => (
                <tr key={t.currency} data-currency={t.currency}>
                  <th scope="row">{t.currency}</th>
                  <td className="num">{t.journal.count} · {formatSigned(t.journal.minor, t.currency)}</td>
                  <td className="num">{t.host.count} · {formatSigned(t.host.minor, t.currency)}</td>
                  <td className={`num${t.difference !== 0 ? ' diff-bad' : ''}`}>{formatSigned(t.difference, t.currency)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ) : null}
      {RECON_LISTS.filter((l) => report[l.key].length > 0).map((l) => (
        <section key={l.kind} aria-label={l.label} data-list={l.kind}>
          <h3>
            {l.label} ({report[l.key].length})
          </h3>
          <ReconItems items={report[l.key]} />
        </section>
      ))}
      {report.matched.length > 0 ? (
        <details>
          <summary>Matched ({report.matched.length})</summary>
          <ReconItems items={report.matched} />
        </details>
      ) : null}
      <div className="report-actions">
        <button type="button" onClick={() => downloadText(reconciliationCsv(report), `register-bridge-reconciliation-${stamp}.csv`, 'text/csv')}>
          Reconciliation CSV
        </button>
        <button type="button" onClick={() => downloadText(reconciliationJson(report), `register-bridge-reconciliation-${stamp}.json`, 'application/json')}>
          Reconciliation JSON
        </button>
      </div>
    </div>
  );
}

function LastEndOfDay({ report }: { report: EndOfDayReport }) {
  return (
    <div data-testid="last-end-of-day">
      <p>
        Business day <strong>{report.businessDay}</strong> closed at {formatTime(report.closedAt)}
        {report.currencies.length ? ': net ' : '.'}
        {report.currencies.map((c) => formatSigned(c.net, c.currency)).join(', ')}
        {report.inDoubt.length ? ` (${report.inDoubt.length} open, in no total)` : ''}
      </p>
      <ul className="plain-list">
        {report.batches.map((b) => (
          <li key={b.terminal}>
            Terminal <strong>{b.terminal}</strong>: {b.closed ? 'batch closed' : 'batch not closed'} — {b.message}
          </li>
        ))}
      </ul>
      <p className="hint">{report.reconciliation === 'scheduled' ? 'A reconciliation with the host followed.' : 'Automatic reconciliation after end of day is off.'}</p>
    </div>
  );
}

export function Reports({ client, subscribe }: { client: BridgeClient; subscribe: Subscribe }) {
  const [data, setData] = useState<DayReportsView | undefined>();
  const [dayInput, setDayInput] = useState('');
  const [day, setDay] = useState('');
  const [dayError, setDayError] = useState<string | undefined>();
  const [error, setError] = useState('');
  const [note, setNote] = useState('');
  const [ask, setAsk] = useState<Ask>('');
  const [busy, setBusy] = useState<Ask>('');
  const confirmRef = useRef<HTMLButtonElement>(null);
  const closeRef = useRef<HTMLButtonElement>(null);
  const reconcileRef = useRef<HTMLButtonElement>(null);
  const reloadTimer = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);
  const asked = useRef(0);

  const load = useCallback(async () => {
    const mine = ++asked.current;
    try {
      const v = await client.dayReports(day ? { day } : {});
      if (mine !== asked.current) return;
      setData(v);
      setError('');
      setDayError(undefined);
    } catch (e) {
      if (mine !== asked.current) return;
      const issue = (e as { problem?: { issues?: Array<{ field: string; message: string }> } }).problem?.issues?.find((i) => i.field === 'day');
      if (issue) setDayError(issue.message);
      else setError(errorText(e));
    }
  }, [client, day]);

  useEffect(() => {
    void load();
    const off = subscribe((e: StatusEvent) => {
      // A payment, a closed day, a reconciliation or any other change of the bridge's state.
      if (e.type !== 'payment' && e.type !== 'state') return;
      if (reloadTimer.current) clearTimeout(reloadTimer.current);
      reloadTimer.current = setTimeout(() => void load(), 150);
    });
    return () => {
      off();
      if (reloadTimer.current) clearTimeout(reloadTimer.current);
    };
  }, [load, subscribe]);

  useEffect(() => {
    if (ask) confirmRef.current?.focus();
  }, [ask]);

  const cancelAsk = (): void => {
    const back = ask === 'close' ? closeRef.current : reconcileRef.current;
    setAsk('');
    requestAnimationFrame(() => back?.focus());
  };

  const run = async (what: Exclude<Ask, ''>): Promise<void> => {
    setAsk('');
    setBusy(what);
    setError('');
    setNote('');
    try {
      if (what === 'close') {
        const r = await client.endOfDay();
        setNote(`Business day ${r.businessDay} closed.${r.reconciliation === 'scheduled' ? ' The reconciliation with the host runs now; its result appears below.' : ''}`);
      } else {
        const r = await client.reconcile(day ? { day } : {});
        setNote(`Reconciliation of ${r.businessDay} done: ${r.clean ? 'everything matches' : 'discrepancies found'}.`);
      }
      await load();
    } catch (e) {
      setError(errorText(e));
    } finally {
      setBusy('');
    }
  };

  const showDay = (e: FormEvent): void => {
    e.preventDefault();
    setDay(dayInput.trim());
  };

  const totals = data?.totals;
  return (
    <section aria-labelledby="reports-title">
      <div className="view-head">
        <h1 id="reports-title" tabIndex={-1}>
          Reports
        </h1>
      </div>
      <form className="search report-actions" onSubmit={showDay} aria-label="Business day">
        <TextField label="Business day" name="day" type="date" value={dayInput} onChange={setDayInput} error={dayError} hint="Empty: the day running now." />
        <div className="field field-actions">
          <button type="submit">Show</button>
        </div>
        <div className="field field-actions">
          <button type="button" ref={closeRef} className="primary" disabled={busy !== '' || ask !== ''} onClick={() => setAsk('close')}>
            {busy === 'close' ? 'Closing…' : 'Close the day'}
          </button>
        </div>
        <div className="field field-actions">
          <button type="button" ref={reconcileRef} disabled={busy !== '' || ask !== ''} onClick={() => setAsk('reconcile')}>
            {busy === 'reconcile' ? 'Reconciling…' : 'Reconcile now'}
          </button>
        </div>
      </form>
      {ask ? (
        <div className="confirm" role="alertdialog" aria-labelledby="report-q" aria-describedby="report-d" onKeyDown={(e) => e.key === 'Escape' && cancelAsk()}>
          <p id="report-q">
            <strong>{ask === 'close' ? 'Close the business day now?' : 'Reconcile with the host now?'}</strong>
          </p>
          <p id="report-d">
            {ask === 'close'
              ? 'End of day totals the running business day from the journal, closes each terminal\'s batch where its link can, stores the report and then reconciles the day with the host.'
              : `The bridge asks each terminal's host for the transactions of ${day || 'the running business day'} and compares them with the journal. Payments are not disturbed.`}
          </p>
          <button type="button" ref={confirmRef} className="primary" onClick={() => void run(ask)}>
            {ask === 'close' ? 'Yes, close the day' : 'Yes, reconcile'}
          </button>{' '}
          <button type="button" onClick={cancelAsk}>
            Cancel
          </button>
        </div>
      ) : null}
      <div aria-live="polite">{note ? <p role="status" className="banner banner-info">{note}</p> : null}</div>
      <ErrorNote>{error}</ErrorNote>

      <section aria-labelledby="totals-title">
        <h2 id="totals-title">{totals ? `Business day ${totals.businessDay}` : 'Business day'}</h2>
        {totals ? (
          <>
            <p className="hint">
              From {formatTime(totals.from)} to {formatTime(totals.to)} ({totals.timeZone}, day starts at {String(totals.cutoffHour).padStart(2, '0')}:00) ·{' '}
              <span data-testid="day-counts">
                {totals.counts.approved} approved, {totals.counts.declined} declined, {totals.counts.cancelled} cancelled, {totals.counts.failed} failed, {totals.counts.open} open
              </span>
            </p>
            <TotalsTables totals={totals} />
            {totals.inDoubt.length > 0 ? (
              <div className="attention">
                <h3>Open payments (in no total)</h3>
                <ul>
                  {totals.inDoubt.map((o) => (
                    <li key={o.id} data-ref={o.ref}>
                      <span className="mono">{o.ref}</span> · {formatSigned(o.minor, o.currency)} · {o.outcome === 'running' ? 'running' : o.outcome.replace('_', ' ')} on {o.terminal}
                    </li>
                  ))}
                </ul>
              </div>
            ) : null}
            <div className="report-actions">
              <button type="button" onClick={() => downloadText(totalsCsv(totals), `register-bridge-totals-${totals.businessDay}.csv`, 'text/csv')}>
                Totals CSV
              </button>
              <button type="button" onClick={() => downloadText(totalsJson(totals), `register-bridge-totals-${totals.businessDay}.json`, 'application/json')}>
                Totals JSON
              </button>
            </div>
          </>
        ) : !error ? (
          <p>Loading…</p>
        ) : null}
      </section>

      <section aria-labelledby="eod-title">
        <h2 id="eod-title">Last end of day</h2>
        {data?.lastEndOfDay ? <LastEndOfDay report={data.lastEndOfDay} /> : <p className="empty">No day has been closed yet.</p>}
      </section>

      <section aria-labelledby="recon-title">
        <h2 id="recon-title">Reconciliation{totals ? ` of ${totals.businessDay}` : ''}</h2>
        {data?.reconciliation ? <Reconciliation report={data.reconciliation} /> : <p className="empty">This business day has not been reconciled yet.</p>}
      </section>
    </section>
  );
}
