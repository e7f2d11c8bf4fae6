import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import type { BridgeClient, StatusEvent } from './client/types';
import { useT } from './i18n';
import { Dashboard } from './views/Dashboard';
import { Journal } from './views/Journal';
import { GoLive } from './views/GoLive';
import { Logs } from './views/Logs';
import { Reports } from './views/Reports';
import { Settings } from './views/Settings';
import { Setup } from './views/Setup';

const VIEWS = ['dashboard', 'journal', 'reports', 'setup', 'settings', 'golive', 'logs'] as const;
type ViewId = (typeof VIEWS)[number];

function viewFromHash(): ViewId {
  const h = location.hash.replace(/^#\/?/, '');
  return VIEWS.find((v) => v === h) ?? 'dashboard';
}

/** Event fan-out: one stream, many views listening. */
export type Subscribe = (listener: (e: StatusEvent) => void) => () => void;

export function App({ client }: { client: BridgeClient }) {
  const t = useT();
  const [view, setView] = useState<ViewId>(viewFromHash);
  const [connected, setConnected] = useState(false);
  const listeners = useRef(new Set<(e: StatusEvent) => void>());
  const mainRef = useRef<HTMLElement>(null);

  useEffect(() => {
    const off = client.subscribe(
      (e) => {
        for (const l of listeners.current) l(e);
      },
      (up) => setConnected(up),
    );
    return off;
  }, [client]);

  useEffect(() => {
    const onHash = (): void => setView(viewFromHash());
    window.addEventListener('hashchange', onHash);
    return () => window.removeEventListener('hashchange', onHash);
  }, []);

  const subscribe: Subscribe = useCallback((l) => {
    listeners.current.add(l);
    return () => void listeners.current.delete(l);
  }, []);

  const go = (id: ViewId): void => {
    setView(id);
    history.replaceState(null, '', `#/${id}`);
    // Keyboard users land on the new view's heading.
    requestAnimationFrame(() => mainRef.current?.querySelector('h1')?.focus());
  };

  const content = useMemo(() => {
    switch (view) {
      case 'dashboard':
        return <Dashboard client={client} subscribe={subscribe} />;
      case 'journal':
        return <Journal client={client} />;
      case 'reports':
        return <Reports client={client} subscribe={subscribe} />;
      case 'setup':
        return <Setup client={client} />;
      case 'settings':
        return <Settings client={client} />;
      case 'golive':
        return <GoLive client={client} />;
      case 'logs':
        return <Logs client={client} subscribe={subscribe} />;
    }
  }, [view, client, subscribe]);

  return (
    <div className="app">
      <a
        className="skip-link"
        href="#main"
        onClick={(e) => {
          e.preventDefault();
          mainRef.current?.focus();
        }}
      >
        {t('app.skip')}
      </a>
      <header className="topbar">
        <span className="brand">{t('app.brand')}</span>
        <nav aria-label={t('app.views')} data-testid="views">
          <ul className="tabs">
            {VIEWS.map((v) => (
              <li key={v}>
                <button
                  type="button"
                  className="tab"
                  data-view={v}
                  aria-current={view === v ? 'page' : undefined}
                  onClick={() => go(v)}
                >
                  {t(`app.view.${v}`)}
                </button>
              </li>
            ))}
          </ul>
        </nav>
        <span
          className={`link-state ${connected ? 'link-up' : 'link-down'}`}
          role="status"
          aria-live="polite"
          data-testid="link-state"
          data-up={connected}
        >
          {connected ? t('app.live') : t('app.reconnecting')}
        </span>
      </header>
      <main id="main" ref={mainRef} tabIndex={-1}>
        {content}
      </main>
    </div>
  );
}
