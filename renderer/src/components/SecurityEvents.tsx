import { useEffect, useState } from 'react';
import type { Subscribe } from '../App';
import { errorText, type BridgeClient, type SecurityEvent } from '../client/types';
import { formatTime } from '../format';
import { useT } from '../i18n';
import { CoreSays } from '../i18n/core-text';
import { ErrorNote } from './ui';

const KINDS = [
  'foreign_protocol',
  'auth_failed',
  'auth_lockout',
  'peer_refused',
  'policy_refused',
  'policy_held',
  'flood',
  'connection_limit',
  'settings',
] as const;
const isKind = (k: string): k is (typeof KINDS)[number] => (KINDS as readonly string[]).includes(k);

/** The bridge's recent security events (kept apart from the log, so a flood never hides them), newest first. */
export function SecurityEvents({ client, subscribe }: { client: BridgeClient; subscribe: Subscribe }) {
  const t = useT();
  const [events, setEvents] = useState<SecurityEvent[]>([]);
  const [error, setError] = useState('');

  useEffect(() => {
    let live = true;
    const load = (): void => {
      client.securityEvents().then(
        (v) => {
          if (!live) return;
          setEvents(v.events);
          setError('');
        },
        (e: unknown) => live && setError(errorText(e)),
      );
    };
    load();
    const off = subscribe((e) => {
      if (e.type === 'state' && e.reason === 'security') load();
    });
    return () => {
      live = false;
      off();
    };
  }, [client, subscribe]);

  return (
    <section aria-labelledby="security-title">
      <h2 id="security-title">{t('security.title')}</h2>
      <p className="hint">{t('security.hint')}</p>
      <ErrorNote>{error}</ErrorNote>
      {events.length === 0 ? (
        <p className="empty">{t('security.none')}</p>
      ) : (
        <div className="table-wrap" tabIndex={0} aria-label={t('security.title')}>
          <table>
            <thead>
              <tr>
                <th scope="col">{t('common.time')}</th>
                <th scope="col">{t('journal.event')}</th>
                <th scope="col">{t('security.listener')}</th>
                <th scope="col">{t('security.peer')}</th>
                <th scope="col">{t('logs.details')}</th>
              </tr>
            </thead>
            <tbody>
              {events.map((e, i) => (
                <tr key={`${e.at}-${i}`}>
                  <td className="nowrap">{formatTime(e.at)}</td>
                  <td>{isKind(e.kind) ? t(`security.kind.${e.kind}`) : e.kind}</td>
                  <td>{e.listener ?? ''}</td>
                  <td className="mono small">{e.peer ?? ''}</td>
                  <CoreSays as="td" text={e.detail} code={e.detailCode} />
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}
