import type { ReactNode } from 'react';
import { ErrorNote } from './ui';

/** One held request as the list shows it: the question, its facts, and the two answers. */
export interface HeldItem {
  readonly id: string;
  readonly question: ReactNode;
  readonly facts: ReactNode;
  readonly confirmLabel: string;
  readonly refuseLabel: string;
  onConfirm(): void;
  onRefuse(): void;
}

/**
 * The markup every kind of held request shares at the top of the dashboard (capture duplicates, money-out holds): an
 * always-present assertive region that announces a new hold, the list with its question, facts and two plain buttons
 * (Tab and Enter do it all), and the outcome of the last decision.
 */
export function HoldList(p: {
  /** Prefix of element ids and the data attribute naming each item ("hold" → data-hold, holds-title). */
  readonly prefix: string;
  readonly announce: string;
  readonly title: string;
  /** The heading kept for screen readers once the list is empty but a note or error is still shown. */
  readonly emptyTitle: string;
  readonly items: readonly HeldItem[];
  readonly busy: boolean;
  readonly note: string;
  readonly error: string;
}) {
  const titleId = `${p.prefix}s-title`;
  const live = (
    <div className="sr-only" aria-live="assertive" data-testid={`${p.prefix}s-announce`}>
      {p.announce}
    </div>
  );
  if (p.items.length === 0 && !p.note && !p.error) return live;
  return (
    <>
      {live}
      <section className="holds" aria-labelledby={titleId}>
        {p.items.length > 0 ? (
          <h2 id={titleId}>{p.title}</h2>
        ) : (
          <h2 id={titleId} className="sr-only">
            {p.emptyTitle}
          </h2>
        )}
        <ul>
          {p.items.map((h) => {
            const questionId = `${p.prefix}-q-${h.id}`;
            return (
              <li
                key={h.id}
                className="hold-item"
                {...{ [`data-${p.prefix}`]: h.id }}
                role="group"
                aria-labelledby={questionId}
              >
                <p id={questionId} className="hold-question">
                  {h.question}
                </p>
                <p className="hold-facts">{h.facts}</p>
                <div className="hold-actions">
                  <button
                    type="button"
                    className="primary"
                    disabled={p.busy}
                    onClick={h.onConfirm}
                    aria-describedby={questionId}
                  >
                    {h.confirmLabel}
                  </button>
                  <button type="button" disabled={p.busy} onClick={h.onRefuse} aria-describedby={questionId}>
                    {h.refuseLabel}
                  </button>
                </div>
              </li>
            );
          })}
        </ul>
        <div aria-live="polite">
          {p.note ? (
            <p role="status" className="hold-note">
              {p.note}
            </p>
          ) : null}
        </div>
        <ErrorNote>{p.error}</ErrorNote>
      </section>
    </>
  );
}
