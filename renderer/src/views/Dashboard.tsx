import { useCallback, useEffect, useRef, useState } from 'react';
import type { Subscribe } from '../App';
import {
  errorText,
  type BridgeClient,
  type PaymentView,
  type RunningPayment,
  type StageStep,
  type StateView,
  type StatusEvent,
} from '../client/types';
import { takePrefetchedState } from '../client/prefetch';
import { Badge, ErrorNote } from '../components/ui';
import { CaptureHolds } from '../components/CaptureHolds';
import { formatClock, formatMoney, formatTime } from '../format';
import { useT, type Translate } from '../i18n';
import { CoreSays, PaymentSays } from '../i18n/core-text';
import { OutcomeBadge, PaymentsHead } from '../components/labels';
import { OperatorHolds } from '../components/OperatorHolds';

/** The stage list of one payment: each step it went through, the current one marked. */
function StageTrail({ item, title, t }: { item: RunningPayment; title: string; t: Translate }) {
  const p = item.payment;
  const finished = p.outcome !== null;
  return (
    <article className="card payment-card" aria-label={`${title}: ${p.ref}`} data-ref={p.ref}>
      <header className="payment-head">
        <h3>
          {title}: <span className="mono">{p.ref}</span>
        </h3>
        <span className="amount">{formatMoney(p.amount)}</span>
        <span>{t(`kind.${p.kind}`)}</span>
        <span>{t('dashboard.onTerminal', { terminal: p.terminal })}</span>
        <OutcomeBadge outcome={p.outcome} t={t} />
      </header>
      <ol className="stages" aria-label={t('dashboard.stages')}>
        {item.stages.map((s, i) => {
          const current = !finished && i === item.stages.length - 1;
          return (
            <li
              key={`${s.stage}-${i}`}
              className={current ? 'stage stage-current' : 'stage'}
              aria-current={current ? 'step' : undefined}
              data-stage={s.stage}
            >
              <span className="stage-name">{t(`stage.${s.stage}`)}</span>
              <time dateTime={s.at}>{formatClock(s.at)}</time>
            </li>
          );
        })}
      </ol>
      {p.message ? <PaymentSays payment={p} as="p" className="payment-message" /> : null}
    </article>
  );
}

function ResultsTable({ rows, t }: { rows: PaymentView[]; t: Translate }) {
  if (rows.length === 0) return <p className="empty">{t('dashboard.noPayments')}</p>;
  return (
    <div className="table-wrap">
      <table className="results">
        <caption className="sr-only">{t('dashboard.resultsCaption')}</caption>
        <PaymentsHead t={t} last="common.message" />
        <tbody>
          {rows.map((p) => (
            <tr key={p.id} data-ref={p.ref}>
              <td>{formatTime(p.createdAt)}</td>
              <td className="mono">{p.ref}</td>
              <td>{t(`kind.${p.kind}`)}</td>
              <td className="num">{formatMoney(p.amount)}</td>
              <td>{p.terminal}</td>
              <td>
                <OutcomeBadge outcome={p.outcome} t={t} />
              </td>
              <td>
                <PaymentSays payment={p} />
                {p.reversed ? ` ${t('dashboard.reversed')}` : ''}
              </td>
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

/** What the bridge does about a payment that needs attention, from its outcome and stage. */
function attentionText(p: PaymentView, t: Translate): string {
  if (p.outcome === 'in_doubt') return t('attention.inDoubt', { terminal: p.terminal });
  if (p.stage === 'approved_open') return t('attention.waitingForRegister');
  if (p.stage === 'confirming') return t('attention.confirming', { terminal: p.terminal });
  if (p.stage === 'cancelling') return t('attention.reversing', { terminal: p.terminal });
  return t('attention.finishing');
}

export function Dashboard({ client, subscribe }: { client: BridgeClient; subscribe: Subscribe }) {
  const t = useT();
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
        setState((s) =>
          s ? { ...s, terminals: s.terminals.map((t) => (t.id === e.terminal.id ? e.terminal : t)) } : s,
        );
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
  const latest =
    state?.latest && !running.some((r) => r.payment.id === state.latest?.payment.id) ? state.latest : undefined;

  return (
    <section aria-labelledby="dash-title">
      <div className="view-head">
        <h1 id="dash-title" tabIndex={-1}>
          {t('app.view.dashboard')}
        </h1>
        {state?.desktop?.pause ? (
          <button type="button" onClick={() => void togglePause()} disabled={busy}>
            {state.paused ? t('dashboard.resume') : t('dashboard.pause')}
          </button>
        ) : null}
      </div>
      <ErrorNote>{error}</ErrorNote>
      {state?.paused ? <p className="banner banner-warn">{t('dashboard.paused')}</p> : null}

      {state ? <OperatorHolds client={client} holds={state.operatorHolds ?? []} onDecided={() => void load()} /> : null}
      {state ? <CaptureHolds client={client} holds={state.captureHolds ?? []} onDecided={() => void load()} /> : null}

      {state && state.attention.length > 0 ? (
        <section className="attention" aria-labelledby="attention-title">
          <h2 id="attention-title">{t('attention.title')}</h2>
          <ul>
            {state.attention.map((a) => (
              <li key={a.payment.id} className="attention-item" data-ref={a.payment.ref}>
                <p>
                  <strong className="mono">{a.payment.ref}</strong> · {formatMoney(a.payment.amount)} ·{' '}
                  {t('attention.terminal', { terminal: a.payment.terminal })} ·{' '}
                  {a.payment.outcome ? <OutcomeBadge outcome={a.payment.outcome} t={t} /> : null}
                </p>
                <p>{attentionText(a.payment, t)}</p>
              </li>
            ))}
          </ul>
        </section>
      ) : null}

      <section aria-labelledby="now-title" aria-live="polite">
        <h2 id="now-title">{t('dashboard.payments')}</h2>
        {running.length === 0 && !latest ? <p className="empty">{t('dashboard.noneRunning')}</p> : null}
        {running.map((r) => (
          <StageTrail key={r.payment.id} item={r} title={t('dashboard.running')} t={t} />
        ))}
        {latest ? <StageTrail item={latest} title={t('dashboard.lastPayment')} t={t} /> : null}
      </section>

      <div className="columns">
        <section aria-labelledby="terminals-title">
          <h2 id="terminals-title">{t('dashboard.terminals')}</h2>
          {state?.terminals.length === 0 ? <p className="empty">{t('dashboard.noTerminal')}</p> : null}
          <ul className="cards">
            {state?.terminals.map((term) => (
              <li key={term.id} className="card terminal-card" data-terminal={term.id}>
                <h3>
                  {term.id} <Badge tone={term.state}>{t(`terminalState.${term.state}`)}</Badge>
                </h3>
                <dl className="facts">
                  <dt>{t('dashboard.link')}</dt>
                  <dd>{term.link}</dd>
                  <dt>{t('dashboard.lastSeen')}</dt>
                  <dd>{formatTime(term.lastSeen)}</dd>
                  <dt>{t('dashboard.queue')}</dt>
                  <dd>
                    {term.queue === 0 ? t('dashboard.queueEmpty') : t('dashboard.queueWaiting', { count: term.queue })}
                  </dd>
                  {term.currentRef ? (
                    <>
                      <dt>{t('dashboard.now')}</dt>
                      <dd className="mono">{term.currentRef}</dd>
                    </>
                  ) : null}
                  {term.terminalId ? (
                    <>
                      <dt>{t('common.tid')}</dt>
                      <dd>{term.terminalId}</dd>
                    </>
                  ) : null}
                  {term.message ? (
                    <>
                      <dt>{t('dashboard.status')}</dt>
                      <CoreSays as="dd" text={term.message} code={term.messageCode} />
                    </>
                  ) : null}
                </dl>
              </li>
            ))}
          </ul>
        </section>
        <section aria-labelledby="listeners-title">
          <h2 id="listeners-title">{t('dashboard.listeners')}</h2>
          {state?.listeners.length === 0 ? <p className="empty">{t('dashboard.noListener')}</p> : null}
          <ul className="cards">
            {state?.listeners.map((l) => (
              <li key={l.id} className="card" data-listener={l.id}>
                <h3>{l.id}</h3>
                <dl className="facts">
                  <dt>{t('dashboard.protocol')}</dt>
                  <dd>{l.protocol}</dd>
                  <dt>{t('dashboard.address')}</dt>
                  <dd className="mono">{l.address}</dd>
                  {l.terminal ? (
                    <>
                      <dt>{t('common.terminal')}</dt>
                      <dd>{l.terminal}</dd>
                    </>
                  ) : null}
                  {l.device ? (
                    <>
                      <dt>{t('dashboard.device')}</dt>
                      <dd>
                        {l.device.open
                          ? t('dashboard.deviceOpen')
                          : l.device.error
                            ? t('dashboard.deviceNotOpenBecause', { error: l.device.error })
                            : t('dashboard.deviceNotOpen')}
                      </dd>
                    </>
                  ) : null}
                  <dt>{t('dashboard.registers')}</dt>
                  <dd data-testid="listener-registers">
                    {(l.registers ?? []).length === 0 ? (
                      <span className="empty">{t('dashboard.noneConnected')}</span>
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
        <h2 id="recent-title">{t('dashboard.lastResults')}</h2>
        <ResultsTable rows={state?.recent ?? []} t={t} />
      </section>
      {state ? (
        <p className="footnote">
          {state.dataDir
            ? t('dashboard.footnoteData', { version: state.version, dataDir: state.dataDir })
            : t('dashboard.footnote', { version: state.version })}
        </p>
      ) : null}
    </section>
  );
}
