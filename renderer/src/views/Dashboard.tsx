import { useCallback, useEffect, useRef, useState } from 'react';
import type { Subscribe } from '../App';
import { errorText, type BridgeClient, type PaymentView, type RunningPayment, type StageStep, type StateView, type StatusEvent } from '../client/types';
import { takePrefetchedState } from '../client/prefetch';
import { Badge, ErrorNote } from '../components/ui';
import { CaptureHolds } from '../components/CaptureHolds';
import { OperatorHolds } from '../components/OperatorHolds';
import { formatMoney, formatTime, KIND_LABELS, OUTCOME_LABELS, TERMINAL_STATE_LABELS } from '../format';

/** The stage list of one payment: each step it went through, the current one marked. */
function StageTrail({ item, title }: { item: RunningPayment; title: string }) {
  const p = item.payment;
  const finished = p.outcome !== null;
  return (
    <article className="card payment-card" aria-label={`${title}: ${p.ref}`} data-ref={p.ref}>
      <header className="payment-head">
        <h3>
          {title}: <span className="mono">{p.ref}</span>
        </h3>
        <span className="amount">{formatMoney(p.amount)}</span>
        <span>{KIND_LABELS[p.kind] ?? p.kind}</span>
        <span>on {p.terminal}</span>
        {p.outcome ? <Badge tone={p.outcome}>{OUTCOME_LABELS[p.outcome]}</Badge> : <Badge tone="running">Running</Badge>}
      </header>
      <ol className="stages" aria-label="Stages">
        {item.stages.map((s, i) => {
          const current = !finished && i === item.stages.length - 1;
          return (
            <li key={`${s.stage}-${i}`} className={current ? 'stage stage-current' : 'stage'} aria-current={current ? 'step' : undefined} data-stage={s.stage}>
              <span className="stage-name">{s.message}</span>
              <time dateTime={s.at}>{new Date(s.at).toLocaleTimeString()}</time>
            </li>
          );
        })}
      </ol>
      {p.message ? <p className="payment-message">{p.message}</p> : null}
    </article>
  );
}

function ResultsTable({ rows }: { rows: PaymentView[] }) {
  if (rows.length === 0) return <p className="empty">No payments yet.</p>;
  return (
    <div className="table-wrap">
      <table className="results">
        <caption className="sr-only">Last results, newest first</caption>
        <thead>
          <tr>
            <th scope="col">Time</th>
            <th scope="col">Reference</th>
            <th scope="col">Kind</th>
            <th scope="col" className="num">Amount</th>
            <th scope="col">Terminal</th>
            <th scope="col">Outcome</th>
            <th scope="col">Message</th>
          </tr>
        </thead>
        <tbody>
          {rows.map((p) => (
            <tr key={p.id} data-ref={p.ref}>
              <td>{formatTime(p.createdAt)}</td>
              <td className="mono">{p.ref}</td>
              <td>{KIND_LABELS[p.kind] ?? p.kind}</td>
              <td className="num">{formatMoney(p.amount)}</td>
              <td>{p.terminal}</td>
              <td>{p.outcome ? <Badge tone={p.outcome}>{OUTCOME_LABELS[p.outcome]}</Badge> : <Badge tone="running">Running</Badge>}</td>
              <td>{p.message}{p.reversed ? ' (reversed)' : ''}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

/**
 * Puts the newest pushed trail on each running payment. A trail only grows while its payment runs, so the longer of
 * the snapshot's and the pushed one is the newer: a snapshot taken just before a stage never hides that stage.
 */
function withTrails(s: StateView, trails: ReadonlyMap<string, readonly StageStep[]>): StateView {
  const apply = (r: RunningPayment): RunningPayment => {
    const pushed = trails.get(r.payment.id);
    if (!pushed || pushed.length <= r.stages.length) return r;
    return { payment: { ...r.payment, stage: pushed[pushed.length - 1]!.stage }, stages: [...pushed] };
  };
  return { ...s, running: s.running.map(apply), ...(s.latest ? { latest: apply(s.latest) } : {}) };
}

export function Dashboard({ client, subscribe }: { client: BridgeClient; subscribe: Subscribe }) {
  const [state, setState] = useState<StateView | undefined>();
  const [error, setError] = useState<string>('');
  const [busy, setBusy] = useState(false);
  const reloadTimer = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);
  /** The newest stage trail pushed for each running payment (by payment id). */
  const trails = useRef(new Map<string, readonly StageStep[]>());

  // Answers are shown in the order they were asked for: an older, slower one never puts stale state back.
  const asked = useRef(0);
  const shown = useRef(0);
  const load = useCallback(async () => {
    const mine = ++asked.current;
    try {
      const s = await (takePrefetchedState() ?? client.state());
      if (mine < shown.current) return;
      shown.current = mine;
      // Forget trails of payments no longer running; a snapshot older than a stage already shown keeps that stage.
      const live = new Set(s.running.map((r) => r.payment.id));
      for (const id of trails.current.keys()) if (!live.has(id)) trails.current.delete(id);
      setState(withTrails(s, trails.current));
      setError('');
    } catch (e) {
      if (mine >= shown.current) setError(errorText(e));
    }
  }, [client]);

  const reloadSoon = useCallback(() => {
    if (reloadTimer.current) clearTimeout(reloadTimer.current);
    reloadTimer.current = setTimeout(() => void load(), 120);
  }, [load]);

  useEffect(() => {
    void load();
    const every = setInterval(() => void load(), 15_000);
    const off = subscribe((e: StatusEvent) => {
      if (e.type === 'terminal') {
        setState((s) => (s ? { ...s, terminals: s.terminals.map((t) => (t.id === e.terminal.id ? e.terminal : t)) } : s));
      } else if (e.type === 'stage') {
        trails.current.set(e.id, e.stages);
        setState((s) => (s ? withTrails(s, trails.current) : s));
        reloadSoon();
      } else if (e.type === 'payment' || e.type === 'state') {
        reloadSoon();
      }
    });
    return () => {
      off();
      clearInterval(every);
      if (reloadTimer.current) clearTimeout(reloadTimer.current);
    };
  }, [load, reloadSoon, subscribe]);

  const togglePause = async (): Promise<void> => {
    if (!state) return;
    setBusy(true);
    try {
      await client.setPaused(!state.paused);
      await load();
    } catch (e) {
      setError(errorText(e));
    } finally {
      setBusy(false);
    }
  };

  const running = state?.running ?? [];
  const latest = state?.latest && !running.some((r) => r.payment.id === state.latest?.payment.id) ? state.latest : undefined;

  return (
    <section aria-labelledby="dash-title">
      <div className="view-head">
        <h1 id="dash-title" tabIndex={-1}>
          Dashboard
        </h1>
        {state?.desktop?.pause ? (
          <button type="button" onClick={() => void togglePause()} disabled={busy}>
            {state.paused ? 'Resume listeners' : 'Pause listeners'}
          </button>
        ) : null}
      </div>
      <ErrorNote>{error}</ErrorNote>
      {state?.paused ? <p className="banner banner-warn">The register listeners are paused: registers cannot reach the bridge.</p> : null}

      {state ? <OperatorHolds client={client} holds={state.operatorHolds ?? []} onDecided={() => void load()} /> : null}
      {state ? <CaptureHolds client={client} holds={state.captureHolds ?? []} onDecided={() => void load()} /> : null}

      {state && state.attention.length > 0 ? (
        <section className="attention" aria-labelledby="attention-title">
          <h2 id="attention-title">Needs attention</h2>
          <ul>
            {state.attention.map((a) => (
              <li key={a.payment.id} className="attention-item" data-ref={a.payment.ref}>
                <p>
                  <strong className="mono">{a.payment.ref}</strong> · {formatMoney(a.payment.amount)} · terminal {a.payment.terminal} ·{' '}
                  {a.payment.outcome ? <Badge tone={a.payment.outcome}>{OUTCOME_LABELS[a.payment.outcome]}</Badge> : null}
                </p>
                <p>{a.action}</p>
              </li>
            ))}
          </ul>
        </section>
      ) : null}

      <section aria-labelledby="now-title" aria-live="polite">
        <h2 id="now-title">Payments</h2>
        {running.length === 0 && !latest ? <p className="empty">No payment is running.</p> : null}
        {running.map((r) => (
          <StageTrail key={r.payment.id} item={r} title="Running" />
        ))}
        {latest ? <StageTrail item={latest} title="Last payment" /> : null}
      </section>

      <div className="columns">
        <section aria-labelledby="terminals-title">
          <h2 id="terminals-title">Terminals</h2>
          {state?.terminals.length === 0 ? <p className="empty">No terminal is running.</p> : null}
          <ul className="cards">
            {state?.terminals.map((t) => (
              <li key={t.id} className="card terminal-card" data-terminal={t.id}>
                <h3>
                  {t.id} <Badge tone={t.state}>{TERMINAL_STATE_LABELS[t.state]}</Badge>
                </h3>
                <dl className="facts">
                  <dt>Link</dt>
                  <dd>{t.link}</dd>
                  <dt>Last seen</dt>
                  <dd>{formatTime(t.lastSeen)}</dd>
                  <dt>Queue</dt>
                  <dd>{t.queue === 0 ? 'empty' : `${t.queue} waiting`}</dd>
                  {t.currentRef ? (
                    <>
                      <dt>Now</dt>
                      <dd className="mono">{t.currentRef}</dd>
                    </>
                  ) : null}
                  {t.terminalId ? (
                    <>
                      <dt>TID</dt>
                      <dd>{t.terminalId}</dd>
                    </>
                  ) : null}
                  {t.message ? (
                    <>
                      <dt>Status</dt>
                      <dd>{t.message}</dd>
                    </>
                  ) : null}
                </dl>
              </li>
            ))}
          </ul>
        </section>
        <section aria-labelledby="listeners-title">
          <h2 id="listeners-title">Register listeners</h2>
          {state?.listeners.length === 0 ? <p className="empty">No listener is running.</p> : null}
          <ul className="cards">
            {state?.listeners.map((l) => (
              <li key={l.id} className="card" data-listener={l.id}>
                <h3>{l.id}</h3>
                <dl className="facts">
                  <dt>Protocol</dt>
                  <dd>{l.protocol}</dd>
                  <dt>Address</dt>
                  <dd className="mono">{l.address}</dd>
                  {l.terminal ? (
                    <>
                      <dt>Terminal</dt>
                      <dd>{l.terminal}</dd>
                    </>
                  ) : null}
                  {l.device ? (
                    <>
                      <dt>Device</dt>
                      <dd>{l.device.open ? 'open' : `not open${l.device.error ? `: ${l.device.error}` : ''}`}</dd>
                    </>
                  ) : null}
                  <dt>Registers</dt>
                  <dd data-testid="listener-registers">
                    {(l.registers ?? []).length === 0 ? (
                      <span className="empty">none connected</span>
                    ) : (
                      <ul className="plain-list">
                        {l.registers.map((r, i) => (
                          <li key={`${r}-${i}`} className="mono">
                            {r}
                          </li>
                        ))}
                      </ul>
                    )}
                  </dd>
                </dl>
              </li>
            ))}
          </ul>
        </section>
      </div>

      <section aria-labelledby="recent-title">
        <h2 id="recent-title">Last results</h2>
        <ResultsTable rows={state?.recent ?? []} />
      </section>
      {state ? <p className="footnote">Register Bridge {state.version}{state.dataDir ? ` · data in ${state.dataDir}` : ''}</p> : null}
    </section>
  );
}
