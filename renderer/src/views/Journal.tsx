import { Fragment, useCallback, useEffect, useRef, useState, type FormEvent } from 'react';
import {
  ApiProblem,
  errorText,
  issueText,
  type BridgeClient,
  type JournalDetail,
  type JournalQuery,
  type PaymentView,
} from '../client/types';
import { ErrorNote, SelectField, TextField } from '../components/ui';
import { formatMoney, formatTime } from '../format';
import { Text, useT, type Translate } from '../i18n';
import { OutcomeBadge, PaymentsHead } from '../components/labels';
import { Receipt } from './Receipt';
import { PaymentSays } from '../i18n/core-text';

const OUTCOME_FILTERS = ['approved', 'declined', 'cancelled', 'failed', 'in_doubt', 'open'] as const;

/** The result fields a payment may carry, in the order the details show them. */
const RESULT_FIELDS = [
  'authCode',
  'rrn',
  'stan',
  'cardScheme',
  'panMasked',
  'terminalId',
  'merchantId',
  'merchantName',
  'aid',
  'applicationLabel',
  'entryMode',
  'hostCode',
  'terminalStatus',
  'signatureRequired',
  'preauthCode',
  'txDate',
  'txTime',
  'processedAmount',
  'declineReason',
  'message',
  'receiptNo',
  'cancelTookEffect',
  'tip',
] as const;
const isResultField = (k: string): k is (typeof RESULT_FIELDS)[number] =>
  (RESULT_FIELDS as readonly string[]).includes(k);

function fieldValue(v: unknown, t: Translate): string {
  if (v && typeof v === 'object' && 'minor' in v && 'currency' in v)
    return formatMoney(v as { minor: number; currency: string });
  if (typeof v === 'boolean') return v ? t('common.yes') : t('common.no');
  return String(v);
}

function deliveredText(p: JournalDetail['payment']) {
  if (p.delivered)
    return p.acknowledged ? ('journal.deliveredAcknowledged' as const) : ('journal.deliveredYes' as const);
  return p.outcome ? ('journal.deliveredNotYet' as const) : ('journal.deliveredNo' as const);
}

const SETTLEMENTS = ['pending', 'complete', 'cancel', 'completed', 'cancelled'] as const;

/** How the payment was settled with the register (the journal's settlement word, in the page's language). */
function settlementText(s: string | null, t: Translate): string {
  if (s === null) return '—';
  const known = SETTLEMENTS.find((x) => x === s);
  return known ? t(`journal.settlementState.${known}`) : s;
}

function Detail({ client, d, onClose }: { client: BridgeClient; d: JournalDetail; onClose(): void }) {
  const t = useT();
  const headRef = useRef<HTMLHeadingElement>(null);
  useEffect(() => headRef.current?.focus(), [d.payment.id]);
  const p = d.payment;
  const skip = new Set(['ref', 'kind', 'outcome', 'amount', 'terminal']);
  const fields = Object.entries(d.result ?? {}).filter(([k, v]) => !skip.has(k) && v !== undefined && v !== '');
  return (
    <section className="card detail" aria-labelledby="detail-title">
      <div className="view-head">
        <h2 id="detail-title" ref={headRef} tabIndex={-1}>
          <Text k="journal.paymentTitle" values={{ ref: p.ref }} tags={{ code: <span className="mono" /> }} />
        </h2>
        <button type="button" onClick={onClose}>
          {t('journal.closeDetails')}
        </button>
      </div>
      <dl className="facts facts-wide">
        <dt>{t('common.outcome')}</dt>
        <dd>
          <OutcomeBadge outcome={p.outcome} t={t} />
        </dd>
        <dt>{t('common.kind')}</dt>
        <dd>{t(`kind.${p.kind}`)}</dd>
        <dt>{t('common.amount')}</dt>
        <dd>{formatMoney(p.amount)}</dd>
        <dt>{t('common.register')}</dt>
        <dd>{p.register}</dd>
        <dt>{t('common.terminal')}</dt>
        <dd>{p.terminal}</dd>
        <dt>{t('journal.created')}</dt>
        <dd>{formatTime(p.createdAt)}</dd>
        <dt>{t('journal.updated')}</dt>
        <dd>{formatTime(p.updatedAt)}</dd>
        <dt>{t('journal.delivered')}</dt>
        <dd>{t(deliveredText(p))}</dd>
        <dt>{t('journal.bridgeRef')}</dt>
        <dd className="mono">{d.bridgeRef}</dd>
        <dt>{t('journal.terminalRef')}</dt>
        <dd className="mono">{d.driverRef ?? '—'}</dd>
        <dt>{t('journal.settlement')}</dt>
        <dd>{settlementText(d.settlement, t)}</dd>
        {p.reversed ? (
          <>
            <dt>{t('journal.reversed')}</dt>
            <dd>{t('common.yes')}</dd>
          </>
        ) : null}
        {fields.map(([k, v]) =>
          k === 'message' ? (
            // The journal's English message, written from the recorded outcome in the page's language.
            <Fragment key={k}>
              <dt>{t('journal.field.message')}</dt>
              <dd>
                <PaymentSays payment={{ ...p, message: String(v) }} />
              </dd>
            </Fragment>
          ) : (
            <FragmentRow key={k} label={isResultField(k) ? t(`journal.field.${k}`) : k} value={fieldValue(v, t)} />
          ),
        )}
      </dl>
      <Receipt client={client} paymentId={p.id} initial={d.receipt} />
      <h3>{t('journal.events')}</h3>
      <div className="table-wrap">
        <table>
          <thead>
            <tr>
              <th scope="col">#</th>
              <th scope="col">{t('common.time')}</th>
              <th scope="col">{t('journal.event')}</th>
              <th scope="col">{t('journal.data')}</th>
            </tr>
          </thead>
          <tbody>
            {d.events.map((e) => (
              <tr key={e.seq}>
                <td>{e.seq}</td>
                <td>{formatTime(e.at)}</td>
                <td data-source="bridge">{e.type}</td>
                <td className="mono small" data-source="bridge">
                  {e.data === null ? '' : JSON.stringify(e.data)}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </section>
  );
}

function FragmentRow({ label, value }: { label: string; value: string }) {
  return (
    <>
      <dt>{label}</dt>
      <dd data-source="bridge">{value}</dd>
    </>
  );
}

export function Journal({ client }: { client: BridgeClient }) {
  const t = useT();
  const [q, setQ] = useState<JournalQuery>({ ref: '', from: '', to: '', outcome: undefined, amount: '' });
  const [rows, setRows] = useState<PaymentView[] | undefined>();
  const [detail, setDetail] = useState<JournalDetail | undefined>();
  const [error, setError] = useState('');
  const [fieldErrors, setFieldErrors] = useState<Record<string, string>>({});

  // An amount typed with a decimal comma ("12,34") is searched as the journal writes it ("12.34").
  const clean = (query: JournalQuery): JournalQuery =>
    Object.fromEntries(
      Object.entries({ ...query, amount: query.amount?.trim().replace(/^(\d+),(\d+)$/, '$1.$2') }).filter(
        ([, v]) => v !== undefined && v !== '',
      ),
    ) as JournalQuery;

  // Only the latest search may fill the table: an earlier, slower answer must not overwrite a newer one.
  const latestSearch = useRef(0);
  const search = useCallback(
    async (query: JournalQuery) => {
      const mine = ++latestSearch.current;
      try {
        const found = await client.journalSearch(clean(query));
        if (mine !== latestSearch.current) return;
        setRows(found);
        setError('');
        setFieldErrors({});
      } catch (e) {
        if (mine !== latestSearch.current) return;
        setError(errorText(e));
        if (e instanceof ApiProblem && e.problem.issues)
          setFieldErrors(Object.fromEntries(e.problem.issues.map((i) => [i.field, issueText(i)])));
      }
    },
    [client],
  );

  useEffect(() => {
    // eslint-disable-next-line react-hooks/set-state-in-effect -- the table is set when the answer arrives, not synchronously
    void search({});
  }, [search]);

  const submit = (e: FormEvent): void => {
    e.preventDefault();
    void search(q);
  };

  const open = async (id: string): Promise<void> => {
    try {
      setDetail(await client.journalDetail(id));
    } catch (e) {
      setError(errorText(e));
    }
  };

  const exportCsv = async (): Promise<void> => {
    try {
      const csv = await client.journalCsv(clean(q));
      const url = URL.createObjectURL(new Blob([csv], { type: 'text/csv' }));
      const a = document.createElement('a');
      a.href = url;
      a.download = `register-bridge-journal-${new Date().toISOString().slice(0, 10)}.csv`;
      document.body.append(a);
      a.click();
      a.remove();
      setTimeout(() => URL.revokeObjectURL(url), 10_000);
    } catch (e) {
      setError(errorText(e));
    }
  };

  return (
    <section aria-labelledby="journal-title">
      <div className="view-head">
        <h1 id="journal-title" tabIndex={-1}>
          {t('app.view.journal')}
        </h1>
        <button type="button" onClick={() => void exportCsv()}>
          {t('journal.exportCsv')}
        </button>
      </div>
      <form className="search" onSubmit={submit} role="search" aria-label={t('journal.searchLabel')}>
        <TextField
          label={t('common.reference')}
          name="ref"
          type="search"
          value={q.ref ?? ''}
          onChange={(v) => setQ({ ...q, ref: v })}
          error={fieldErrors.ref}
        />
        <TextField
          label={t('journal.from')}
          name="from"
          type="date"
          value={q.from ?? ''}
          onChange={(v) => setQ({ ...q, from: v })}
          error={fieldErrors.from}
        />
        <TextField
          label={t('journal.to')}
          name="to"
          type="date"
          value={q.to ?? ''}
          onChange={(v) => setQ({ ...q, to: v })}
          error={fieldErrors.to}
        />
        <SelectField
          label={t('common.outcome')}
          name="outcome"
          value={q.outcome ?? ''}
          options={[
            { value: '', label: t('outcome.any') },
            ...OUTCOME_FILTERS.map((o) => ({ value: o, label: t(`outcome.${o}`) })),
          ]}
          onChange={(v) => setQ({ ...q, outcome: (v || undefined) as JournalQuery['outcome'] })}
          error={fieldErrors.outcome}
        />
        <TextField
          label={t('common.amount')}
          name="amount"
          inputMode="decimal"
          placeholder={t('journal.amountExample')}
          value={q.amount ?? ''}
          onChange={(v) => setQ({ ...q, amount: v })}
          error={fieldErrors.amount}
        />
        <div className="field field-actions">
          <button type="submit" className="primary">
            {t('journal.search')}
          </button>
        </div>
      </form>
      <ErrorNote>{error}</ErrorNote>
      {detail ? <Detail client={client} d={detail} onClose={() => setDetail(undefined)} /> : null}
      <div className="table-wrap" aria-live="polite">
        {rows && rows.length === 0 ? <p className="empty">{t('journal.noMatch')}</p> : null}
        {rows && rows.length > 0 ? (
          <table className="results">
            <caption className="sr-only">{t('journal.resultsCaption')}</caption>
            <PaymentsHead t={t} last="common.register" />
            <tbody>
              {rows.map((p) => (
                <tr key={p.id} data-ref={p.ref}>
                  <td>{formatTime(p.createdAt)}</td>
                  <td>
                    <button
                      type="button"
                      className="linkish mono"
                      onClick={() => void open(p.id)}
                      aria-label={t('journal.detailsOf', { ref: p.ref })}
                      data-details={p.ref}
                    >
                      {p.ref}
                    </button>
                  </td>
                  <td>{t(`kind.${p.kind}`)}</td>
                  <td className="num">{formatMoney(p.amount)}</td>
                  <td>{p.terminal}</td>
                  <td>
                    <OutcomeBadge outcome={p.outcome} t={t} />
                  </td>
                  <td>{p.register}</td>
                </tr>
              ))}
            </tbody>
          </table>
        ) : null}
      </div>
    </section>
  );
}
