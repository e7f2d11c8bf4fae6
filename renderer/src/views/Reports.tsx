import { useCallback, useEffect, useRef, useState, type FormEvent } from 'react';
import type { Subscribe } from '../App';
import {
  errorText,
  type BridgeClient,
  type DayReportsView,
  type DayTotals,
  type EndOfDayReport,
  type ReconciliationReport,
  type StatusEvent,
} from '../client/types';
import { ErrorNote, TextField } from '../components/ui';
import { downloadText } from '../download';
import { formatDay, formatMoney, formatSigned, formatTime } from '../format';
import { Text, useT, type Translate } from '../i18n';
import { CoreSays } from '../i18n/core-text';
import { reconciliationCsv, reconciliationJson, totalsCsv, totalsJson } from '../../../src/shared/report-export';
import type { ReconItem } from '../../../src/reports/reconcile';

type Ask = '' | 'close' | 'reconcile';

/** The discrepancy lists of a reconciliation, in the order the report names them. */
const RECON_LISTS = [
  { key: 'missingAtHost', kind: 'missing_at_host' },
  { key: 'missingInJournal', kind: 'missing_in_journal' },
  { key: 'amountMismatch', kind: 'amount_mismatch' },
  { key: 'statusMismatch', kind: 'status_mismatch' },
  { key: 'inDoubt', kind: 'in_doubt' },
  { key: 'unverified', kind: 'unverified' },
] as const;

/** A payment's status word in the journal or in a day's open list ("in_doubt", "running"). */
function statusWord(status: string, t: Translate): string {
  if (
    status === 'approved' ||
    status === 'declined' ||
    status === 'cancelled' ||
    status === 'failed' ||
    status === 'in_doubt' ||
    status === 'running'
  )
    return t(`outcome.${status}`);
  return status.replace('_', ' ');
}

function Sum({ count, minor, currency }: { count: number; minor: number; currency: string }) {
  return (
    <>
      <td className="num">{count}</td>
      <td className="num">{formatSigned(minor, currency)}</td>
    </>
  );
}

function TotalsTables({ totals, t }: { totals: DayTotals; t: Translate }) {
  if (totals.currencies.length === 0) return <p className="empty">{t('reports.noFinished')}</p>;
  return (
    <>
      {totals.currencies.map((c) => (
        <div key={c.currency} className="card" data-currency={c.currency}>
          <h3>{c.currency}</h3>
          <div className="table-wrap">
            <table className="results report-table" data-testid={`totals-${c.currency}`}>
              <caption className="sr-only">{t('reports.totalsIn', { currency: c.currency })}</caption>
              <thead>
                <tr>
                  <th scope="col">{t('reports.line')}</th>
                  <th scope="col" className="num">
                    {t('reports.count')}
                  </th>
                  <th scope="col" className="num">
                    {t('common.amount')}
                  </th>
                </tr>
              </thead>
              <tbody>
                {(
                  [
                    ['sales', t('reports.sales'), c.sales],
                    ['tips', t('reports.tips'), c.tips],
                    ['refunds', t('reports.refunds'), c.refunds],
                    ['reversals', t('reports.reversals'), c.reversals],
                    ['refundReversals', t('reports.refundReversals'), c.refundReversals],
                    ['preauths', t('reports.preauths'), c.preauths],
                  ] as const
                ).map(([line, label, s]) => (
                  <tr key={line} data-line={line}>
                    <th scope="row">{label}</th>
                    <Sum count={s.count} minor={s.minor} currency={c.currency} />
                  </tr>
                ))}
                <tr className="net-row" data-testid="net">
                  <th scope="row">{t('reports.net')}</th>
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
              caption={t('reports.byScheme')}
              head={[
                t('reports.scheme'),
                t('reports.sales'),
                t('reports.refunds'),
                t('reports.reversals'),
                t('reports.net'),
              ]}
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
              caption={t('reports.byType')}
              head={[
                t('reports.type'),
                t('outcome.approved'),
                t('outcome.declined'),
                t('outcome.cancelled'),
                t('outcome.failed'),
                t('reports.net'),
              ]}
              rows={c.types.map((ty) => ({
                key: ty.kind,
                attrs: { 'data-kind': ty.kind },
                name: t(`kind.${ty.kind}`),
                cells: [
                  `${ty.approved.count} · ${formatSigned(ty.approved.minor, c.currency)}`,
                  ty.declined,
                  ty.cancelled,
                  ty.failed,
                  formatSigned(ty.net, c.currency),
                ],
              }))}
            />
          </div>
        </div>
      ))}
    </>
  );
}

/** A breakdown of the day's totals: one named row per scheme or type, numeric columns after the name. */
function Breakdown({
  caption,
  head,
  rows,
}: {
  caption: string;
  head: readonly string[];
  rows: ReadonlyArray<{
    key: string;
    attrs: Record<string, string>;
    name: string;
    cells: ReadonlyArray<string | number>;
  }>;
}) {
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
  return m ? formatMoney(m) : (text ?? '—');
}

function ReconItems({ items, t }: { items: readonly ReconItem[]; t: Translate }) {
  return (
    <div className="table-wrap">
      <table className="results report-table">
        <thead>
          <tr>
            <th scope="col">{t('common.terminal')}</th>
            <th scope="col">{t('common.reference')}</th>
            <th scope="col">{t('reports.journal')}</th>
            <th scope="col">{t('reports.host')}</th>
            <th scope="col" className="num">
              {t('reports.difference')}
            </th>
            <th scope="col">{t('reports.note')}</th>
          </tr>
        </thead>
        <tbody>
          {items.map((i, n) => (
            <tr key={`${i.paymentId ?? i.hostId ?? ''}-${n}`} data-ref={i.ref ?? i.reference ?? ''}>
              <td>{i.terminal}</td>
              <td className="mono">{i.ref ?? i.reference ?? i.hostId ?? '—'}</td>
              <td>
                {i.journalStatus
                  ? `${t(`reports.journalStatus.${i.journalStatus}`)} · ${amountOf(i.journalAmount)}`
                  : '—'}
              </td>
              <td data-source="bridge">
                {i.hostStatus
                  ? `${i.hostStatusText ?? i.hostStatus} · ${amountOf(i.hostAmount, i.hostAmountText)}`
                  : '—'}
              </td>
              <td className="num">
                {i.difference !== undefined && i.journalAmount
                  ? formatSigned(i.difference, i.journalAmount.currency)
                  : '—'}
              </td>
              <CoreSays as="td" text={i.note} code={i.noteCode} />
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

function Reconciliation({ report, t }: { report: ReconciliationReport; t: Translate }) {
  const stamp = `${report.businessDay}`;
  return (
    <div data-testid="reconciliation" data-generated={report.generatedAt}>
      <p>
        {t('reports.reconRun', { at: formatTime(report.generatedAt), day: formatDay(report.businessDay) })}{' '}
        <strong data-testid="recon-verdict" data-clean={report.clean}>
          {report.clean ? t('reports.verdictClean') : t('reports.verdictDiscrepancies')}
        </strong>
      </p>
      <ul className="recon-summary" aria-label={t('reports.reconSummary')} data-testid="recon-summary">
        <li data-kind="matched" data-count={report.summary.matched}>
          {t('reports.countOf', { label: t('reports.recon.matched'), count: report.summary.matched })}
        </li>
        {RECON_LISTS.map((l) => (
          <li
            key={l.kind}
            data-kind={l.kind}
            data-count={report.summary[l.kind]}
            className={report.summary[l.kind] > 0 ? 'recon-bad' : undefined}
          >
            {t('reports.countOf', { label: t(`reports.recon.${l.kind}`), count: report.summary[l.kind] })}
          </li>
        ))}
      </ul>
      <ul className="plain-list">
        {report.terminals.map((term) => (
          <li key={term.terminal}>
            <Text
              k={term.ok ? 'reports.terminalSaid' : 'reports.terminalNotVerified'}
              values={{ terminal: term.terminal, message: term.message }}
              tags={{ strong: <strong /> }}
            />
          </li>
        ))}
      </ul>
      {report.totals.length > 0 ? (
        <div className="table-wrap">
          <table className="results report-table" data-testid="recon-totals">
            <caption>{t('reports.charged')}</caption>
            <thead>
              <tr>
                <th scope="col">{t('reports.currency')}</th>
                <th scope="col" className="num">
                  {t('reports.journal')}
                </th>
                <th scope="col" className="num">
                  {t('reports.host')}
                </th>
                <th scope="col" className="num">
                  {t('reports.difference')}
                </th>
              </tr>
            </thead>
            <tbody>
              {report.totals.map((tot) => (
                <tr key={tot.currency} data-currency={tot.currency}>
                  <th scope="row">{tot.currency}</th>
                  <td className="num">
                    {tot.journal.count} · {formatSigned(tot.journal.minor, tot.currency)}
                  </td>
                  <td className="num">
                    {tot.host.count} · {formatSigned(tot.host.minor, tot.currency)}
                  </td>
                  <td className={`num${tot.difference !== 0 ? ' diff-bad' : ''}`}>
                    {formatSigned(tot.difference, tot.currency)}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ) : null}
      {RECON_LISTS.filter((l) => report[l.key].length > 0).map((l) => (
        <section key={l.kind} aria-label={t(`reports.recon.${l.kind}`)} data-list={l.kind}>
          <h3>{t('reports.listTitle', { label: t(`reports.recon.${l.kind}`), count: report[l.key].length })}</h3>
          <ReconItems items={report[l.key]} t={t} />
        </section>
      ))}
      {report.matched.length > 0 ? (
        <details>
          <summary>
            {t('reports.listTitle', { label: t('reports.recon.matched'), count: report.matched.length })}
          </summary>
          <ReconItems items={report.matched} t={t} />
        </details>
      ) : null}
      <div className="report-actions">
        <button
          type="button"
          onClick={() =>
            downloadText(reconciliationCsv(report), `register-bridge-reconciliation-${stamp}.csv`, 'text/csv')
          }
        >
          {t('reports.reconCsv')}
        </button>
        <button
          type="button"
          onClick={() =>
            downloadText(reconciliationJson(report), `register-bridge-reconciliation-${stamp}.json`, 'application/json')
          }
        >
          {t('reports.reconJson')}
        </button>
      </div>
    </div>
  );
}

function LastEndOfDay({ report, t }: { report: EndOfDayReport; t: Translate }) {
  const values = {
    day: formatDay(report.businessDay),
    at: formatTime(report.closedAt),
    net: report.currencies.map((c) => formatSigned(c.net, c.currency)).join(', '),
  };
  return (
    <div data-testid="last-end-of-day" data-day={report.businessDay}>
      <p>
        <Text
          k={report.currencies.length ? 'reports.closedNet' : 'reports.closed'}
          values={values}
          tags={{ strong: <strong /> }}
        />
        {report.inDoubt.length ? ` ${t('reports.openInNoTotal', { count: report.inDoubt.length })}` : ''}
      </p>
      <ul className="plain-list">
        {report.batches.map((b) => (
          <li key={b.terminal}>
            <Text
              k={b.closed ? 'reports.batchClosed' : 'reports.batchNotClosed'}
              values={{ terminal: b.terminal, message: b.message }}
              tags={{ strong: <strong /> }}
            />
          </li>
        ))}
      </ul>
      <p className="hint">
        {report.reconciliation === 'scheduled' ? t('reports.reconFollowed') : t('reports.reconOff')}
      </p>
    </div>
  );
}

export function Reports({ client, subscribe }: { client: BridgeClient; subscribe: Subscribe }) {
  const t = useT();
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
      const issue = (e as { problem?: { issues?: Array<{ field: string; message: string }> } }).problem?.issues?.find(
        (i) => i.field === 'day',
      );
      if (issue) setDayError(issue.message);
      else setError(errorText(e));
    }
  }, [client, day]);

  useEffect(() => {
    // eslint-disable-next-line react-hooks/set-state-in-effect -- the reports are set when the answer arrives, not synchronously
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
        const closed = t('reports.dayClosed', { day: formatDay(r.businessDay) });
        setNote(r.reconciliation === 'scheduled' ? `${closed} ${t('reports.reconRunsNow')}` : closed);
      } else {
        const r = await client.reconcile(day ? { day } : {});
        setNote(
          t(r.clean ? 'reports.reconDoneClean' : 'reports.reconDoneDiscrepancies', { day: formatDay(r.businessDay) }),
        );
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
          {t('app.view.reports')}
        </h1>
      </div>
      <form className="search report-actions" onSubmit={showDay} aria-label={t('reports.businessDay')}>
        <TextField
          label={t('reports.businessDay')}
          name="day"
          type="date"
          value={dayInput}
          onChange={setDayInput}
          error={dayError}
          hint={t('reports.dayHint')}
        />
        <div className="field field-actions">
          <button type="submit">{t('common.show')}</button>
        </div>
        <div className="field field-actions">
          <button
            type="button"
            ref={closeRef}
            className="primary"
            data-action="close-day"
            disabled={busy !== '' || ask !== ''}
            onClick={() => setAsk('close')}
          >
            {busy === 'close' ? t('reports.closing') : t('reports.closeDay')}
          </button>
        </div>
        <div className="field field-actions">
          <button
            type="button"
            ref={reconcileRef}
            data-action="reconcile"
            disabled={busy !== '' || ask !== ''}
            onClick={() => setAsk('reconcile')}
          >
            {busy === 'reconcile' ? t('reports.reconciling') : t('reports.reconcileNow')}
          </button>
        </div>
      </form>
      {ask ? (
        <div
          className="confirm"
          role="alertdialog"
          aria-labelledby="report-q"
          aria-describedby="report-d"
          onKeyDown={(e) => e.key === 'Escape' && cancelAsk()}
        >
          <p id="report-q">
            <strong>{ask === 'close' ? t('reports.askClose') : t('reports.askReconcile')}</strong>
          </p>
          <p id="report-d">
            {ask === 'close'
              ? t('reports.askCloseText')
              : day
                ? t('reports.askReconcileDay', { day: formatDay(day) })
                : t('reports.askReconcileRunning')}
          </p>
          <button type="button" ref={confirmRef} className="primary" onClick={() => void run(ask)}>
            {ask === 'close' ? t('reports.yesClose') : t('reports.yesReconcile')}
          </button>{' '}
          <button type="button" onClick={cancelAsk}>
            {t('common.cancel')}
          </button>
        </div>
      ) : null}
      <div aria-live="polite">
        {note ? (
          <p role="status" className="banner banner-info">
            {note}
          </p>
        ) : null}
      </div>
      <ErrorNote>{error}</ErrorNote>

      <section aria-labelledby="totals-title">
        <h2 id="totals-title">
          {totals ? t('reports.businessDayOf', { day: formatDay(totals.businessDay) }) : t('reports.businessDay')}
        </h2>
        {totals ? (
          <>
            <p className="hint">
              {t('reports.span', {
                from: formatTime(totals.from, totals.timeZone),
                to: formatTime(totals.to, totals.timeZone),
                zone: totals.timeZone,
                cutoff: `${String(totals.cutoffHour).padStart(2, '0')}:00`,
              })}{' '}
              ·{' '}
              <span data-testid="day-counts" data-approved={totals.counts.approved}>
                {t('reports.dayCounts', {
                  approved: totals.counts.approved,
                  declined: totals.counts.declined,
                  cancelled: totals.counts.cancelled,
                  failed: totals.counts.failed,
                  open: totals.counts.open,
                })}
              </span>
            </p>
            <TotalsTables totals={totals} t={t} />
            {totals.inDoubt.length > 0 ? (
              <div className="attention">
                <h3>{t('reports.openPayments')}</h3>
                <ul>
                  {totals.inDoubt.map((o) => (
                    <li key={o.id} data-ref={o.ref}>
                      <span className="mono">{o.ref}</span> · {formatSigned(o.minor, o.currency)} ·{' '}
                      {t('reports.openOn', { status: statusWord(o.outcome, t), terminal: o.terminal })}
                    </li>
                  ))}
                </ul>
              </div>
            ) : null}
            <div className="report-actions">
              <button
                type="button"
                onClick={() =>
                  downloadText(totalsCsv(totals), `register-bridge-totals-${totals.businessDay}.csv`, 'text/csv')
                }
              >
                {t('reports.totalsCsv')}
              </button>
              <button
                type="button"
                onClick={() =>
                  downloadText(
                    totalsJson(totals),
                    `register-bridge-totals-${totals.businessDay}.json`,
                    'application/json',
                  )
                }
              >
                {t('reports.totalsJson')}
              </button>
            </div>
          </>
        ) : !error ? (
          <p>{t('app.loading')}</p>
        ) : null}
      </section>

      <section aria-labelledby="eod-title">
        <h2 id="eod-title">{t('reports.lastEod')}</h2>
        {data?.lastEndOfDay ? (
          <LastEndOfDay report={data.lastEndOfDay} t={t} />
        ) : (
          <p className="empty">{t('reports.noEod')}</p>
        )}
      </section>

      <section aria-labelledby="recon-title">
        <h2 id="recon-title">
          {totals ? t('reports.reconOf', { day: formatDay(totals.businessDay) }) : t('reports.reconciliation')}
        </h2>
        {data?.reconciliation ? (
          <Reconciliation report={data.reconciliation} t={t} />
        ) : (
          <p className="empty" data-testid="not-reconciled">
            {t('reports.notReconciled')}
          </p>
        )}
      </section>
    </section>
  );
}
