import { useCallback, useEffect, useRef, useState, type FormEvent } from 'react';
import { ApiProblem, errorText, type BridgeClient, type JournalDetail, type JournalQuery, type PaymentView } from '../client/types';
import { Badge, ErrorNote, SelectField, TextField } from '../components/ui';
import { formatMoney, formatTime, KIND_LABELS, OUTCOME_LABELS } from '../format';
import { Receipt } from './Receipt';

const OUTCOME_OPTIONS = [
  { value: '', label: 'Any outcome' },
  { value: 'approved', label: 'Approved' },
  { value: 'declined', label: 'Declined' },
  { value: 'cancelled', label: 'Cancelled' },
  { value: 'failed', label: 'Failed' },
  { value: 'in_doubt', label: 'In doubt' },
  { value: 'open', label: 'Still open' },
];

const RESULT_LABELS: Readonly<Record<string, string>> = {
  authCode: 'Authorisation code', rrn: 'RRN', stan: 'STAN', cardScheme: 'Card scheme', panMasked: 'Card (masked)',
  terminalId: 'Terminal ID (TID)', merchantId: 'Merchant ID', merchantName: 'Merchant', aid: 'AID', applicationLabel: 'Application',
  entryMode: 'Entry mode', hostCode: 'Host response code', terminalStatus: 'Terminal status', signatureRequired: 'Signature required',
  preauthCode: 'Pre-auth code', txDate: 'Date on terminal', txTime: 'Time on terminal', processedAmount: 'Processed amount',
  declineReason: 'Decline reason', message: 'Message', receiptNo: 'Receipt number', cancelTookEffect: 'Cancel took effect', tip: 'Tip',
};

function fieldValue(v: unknown): string {
  if (v && typeof v === 'object' && 'minor' in v && 'currency' in v) return formatMoney(v as { minor: number; currency: string });
  if (typeof v === 'boolean') return v ? 'yes' : 'no';
  return String(v);
}

function Detail({ client, d, onClose }: { client: BridgeClient; d: JournalDetail; onClose(): void }) {
  const headRef = useRef<HTMLHeadingElement>(null);
  useEffect(() => headRef.current?.focus(), [d.payment.id]);
  const p = d.payment;
  const skip = new Set(['ref', 'kind', 'outcome', 'amount', 'terminal']);
  const fields = Object.entries(d.result ?? {}).filter(([k, v]) => !skip.has(k) && v !== undefined && v !== '');
  return (
    <section className="card detail" aria-labelledby="detail-title">
      <div className="view-head">
        <h2 id="detail-title" ref={headRef} tabIndex={-1}>
          Payment <span className="mono">{p.ref}</span>
        </h2>
        <button type="button" onClick={onClose}>
          Close details
        </button>
      </div>
      <dl className="facts facts-wide">
        <dt>Outcome</dt>
        <dd>{p.outcome ? <Badge tone={p.outcome}>{OUTCOME_LABELS[p.outcome]}</Badge> : <Badge tone="running">Running</Badge>}</dd>
        <dt>Kind</dt>
        <dd>{KIND_LABELS[p.kind] ?? p.kind}</dd>
        <dt>Amount</dt>
        <dd>{formatMoney(p.amount)}</dd>
        <dt>Register</dt>
        <dd>{p.register}</dd>
        <dt>Terminal</dt>
        <dd>{p.terminal}</dd>
        <dt>Created</dt>
        <dd>{formatTime(p.createdAt)}</dd>
        <dt>Updated</dt>
        <dd>{formatTime(p.updatedAt)}</dd>
        <dt>Delivered to the register</dt>
        <dd>
          {p.delivered
            ? p.acknowledged
              ? 'yes, acknowledged'
              : 'yes'
            : p.outcome
              ? 'not yet: the bridge hands it over when the register reconnects or asks for this reference'
              : 'no'}
        </dd>
        <dt>Bridge reference</dt>
        <dd className="mono">{d.bridgeRef}</dd>
        <dt>Terminal reference</dt>
        <dd className="mono">{d.driverRef ?? '—'}</dd>
        <dt>Settlement</dt>
        <dd>{d.settlement ?? '—'}</dd>
        {p.reversed ? (
          <>
            <dt>Reversed</dt>
            <dd>yes</dd>
          </>
        ) : null}
        {fields.map(([k, v]) => (
          <FragmentRow key={k} label={RESULT_LABELS[k] ?? k} value={fieldValue(v)} />
        ))}
      </dl>
      <Receipt client={client} paymentId={p.id} initial={d.receipt} />
      <h3>Events</h3>
      <div className="table-wrap">
        <table>
          <thead>
            <tr>
              <th scope="col">#</th>
              <th scope="col">Time</th>
              <th scope="col">Event</th>
              <th scope="col">Data</th>
            </tr>
          </thead>
          <tbody>
            {d.events.map((e) => (
              <tr key={e.seq}>
                <td>{e.seq}</td>
                <td>{formatTime(e.at)}</td>
                <td>{e.type}</td>
                <td className="mono small">{e.data === null ? '' : JSON.stringify(e.data)}</td>
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
      <dd>{value}</dd>
    </>
  );
}

export function Journal({ client }: { client: BridgeClient }) {
  const [q, setQ] = useState<JournalQuery>({ ref: '', from: '', to: '', outcome: undefined, amount: '' });
  const [rows, setRows] = useState<PaymentView[] | undefined>();
  const [detail, setDetail] = useState<JournalDetail | undefined>();
  const [error, setError] = useState('');
  const [fieldErrors, setFieldErrors] = useState<Record<string, string>>({});

  const clean = (query: JournalQuery): JournalQuery =>
    Object.fromEntries(Object.entries(query).filter(([, v]) => v !== undefined && v !== '')) as JournalQuery;

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
        if (e instanceof ApiProblem && e.problem.issues) setFieldErrors(Object.fromEntries(e.problem.issues.map((i) => [i.field, i.message])));
      }
    },
    [client],
  );

  useEffect(() => {
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
          Journal
        </h1>
        <button type="button" onClick={() => void exportCsv()}>
          Export CSV
        </button>
      </div>
      <form className="search" onSubmit={submit} role="search" aria-label="Search the journal">
        <TextField label="Reference" name="ref" type="search" value={q.ref ?? ''} onChange={(v) => setQ({ ...q, ref: v })} error={fieldErrors.ref} />
        <TextField label="From (date)" name="from" type="date" value={q.from ?? ''} onChange={(v) => setQ({ ...q, from: v })} error={fieldErrors.from} />
        <TextField label="To (date)" name="to" type="date" value={q.to ?? ''} onChange={(v) => setQ({ ...q, to: v })} error={fieldErrors.to} />
        <SelectField label="Outcome" name="outcome" value={q.outcome ?? ''} options={OUTCOME_OPTIONS} onChange={(v) => setQ({ ...q, outcome: (v || undefined) as JournalQuery['outcome'] })} error={fieldErrors.outcome} />
        <TextField label="Amount" name="amount" inputMode="decimal" placeholder="12.34" value={q.amount ?? ''} onChange={(v) => setQ({ ...q, amount: v })} error={fieldErrors.amount} />
        <div className="field field-actions">
          <button type="submit" className="primary">
            Search
          </button>
        </div>
      </form>
      <ErrorNote>{error}</ErrorNote>
      {detail ? <Detail client={client} d={detail} onClose={() => setDetail(undefined)} /> : null}
      <div className="table-wrap" aria-live="polite">
        {rows && rows.length === 0 ? <p className="empty">No payment matches.</p> : null}
        {rows && rows.length > 0 ? (
          <table className="results">
            <caption className="sr-only">Payments found, newest first</caption>
            <thead>
              <tr>
                <th scope="col">Time</th>
                <th scope="col">Reference</th>
                <th scope="col">Kind</th>
                <th scope="col" className="num">Amount</th>
                <th scope="col">Terminal</th>
                <th scope="col">Outcome</th>
                <th scope="col">Register</th>
              </tr>
            </thead>
            <tbody>
              {rows.map((p) => (
                <tr key={p.id} data-ref={p.ref}>
                  <td>{formatTime(p.createdAt)}</td>
                  <td>
                    <button type="button" className="linkish mono" onClick={() => void open(p.id)} aria-label={`Details of ${p.ref}`}>
                      {p.ref}
                    </button>
                  </td>
                  <td>{KIND_LABELS[p.kind] ?? p.kind}</td>
                  <td className="num">{formatMoney(p.amount)}</td>
                  <td>{p.terminal}</td>
                  <td>{p.outcome ? <Badge tone={p.outcome}>{OUTCOME_LABELS[p.outcome]}</Badge> : <Badge tone="running">Running</Badge>}</td>
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
