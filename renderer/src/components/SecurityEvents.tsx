import { useEffect, useState } from 'react';
import type { Subscribe } from '../App';
import { errorText, type BridgeClient, type SecurityEvent } from '../client/types';
import { ErrorNote } from './ui';

const KIND_LABEL: Record<string, string> = {
  foreign_protocol: 'Foreign protocol refused',
  auth_failed: 'Failed authentication',
  auth_lockout: 'Locked out',
  peer_refused: 'Peer refused',
  policy_refused: 'Refused by policy',
  policy_held: 'Held for confirmation',
  flood: 'Flood of bad frames',
  connection_limit: 'Connection limit',
  settings: 'Security setting changed',
};

/** The bridge's recent security events (kept apart from the log, so a flood never hides them), newest first. */
export function SecurityEvents({ client, subscribe }: { client: BridgeClient; subscribe: Subscribe }) {
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
      <h2 id="security-title">Security events</h2>
      <p className="hint">Connections a register port refused (a web page, another protocol), floods of bad frames and connection limits.</p>
      <ErrorNote>{error}</ErrorNote>
      {events.length === 0 ? (
        <p className="empty">No security events.</p>
      ) : (
        <div className="table-wrap" tabIndex={0} aria-label="Security events">
          <table>
            <thead>
              <tr>
                <th scope="col">Time</th>
                <th scope="col">Event</th>
                <th scope="col">Listener</th>
                <th scope="col">Peer</th>
                <th scope="col">Details</th>
              </tr>
            </thead>
            <tbody>
              {events.map((e, i) => (
                <tr key={`${e.at}-${i}`}>
                  <td className="nowrap">{new Date(e.at).toLocaleString()}</td>
                  <td>{KIND_LABEL[e.kind] ?? e.kind}</td>
                  <td>{e.listener ?? ''}</td>
                  <td className="mono small">{e.peer ?? ''}</td>
                  <td>{e.detail}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}
