import { useEffect, useState } from 'react';
import type { Subscribe } from '../App';
import { errorText, type BridgeClient, type LogLevelName, type LogLine } from '../client/types';
import { ErrorNote, SelectField, TextField } from '../components/ui';
import { SecurityEvents } from '../components/SecurityEvents';
import { downloadBase64 } from '../download';

const LEVELS: readonly LogLevelName[] = ['trace', 'debug', 'info', 'warn', 'error', 'fatal'];
const MAX_LINES = 500;

function matches(l: LogLine, level: LogLevelName, text: string): boolean {
  if (LEVELS.indexOf(l.level) < LEVELS.indexOf(level)) return false;
  if (!text) return true;
  const t = text.toLowerCase();
  return l.msg.toLowerCase().includes(t) || JSON.stringify(l.fields).toLowerCase().includes(t);
}

export function Logs({ client, subscribe }: { client: BridgeClient; subscribe: Subscribe }) {
  const [level, setLevel] = useState<LogLevelName>('info');
  const [text, setText] = useState('');
  const [lines, setLines] = useState<LogLine[]>([]);
  const [available, setAvailable] = useState(true);
  const [error, setError] = useState('');
  const [bundle, setBundle] = useState<'idle' | 'making' | 'done'>('idle');

  async function downloadBundle(): Promise<void> {
    setBundle('making');
    setError('');
    try {
      const b = await client.supportBundle();
      downloadBase64(b.base64, b.fileName, b.contentType);
      setBundle('done');
    } catch (e) {
      setError(errorText(e));
      setBundle('idle');
    }
  }

  useEffect(() => {
    let live = true;
    client.logs({ level, ...(text ? { text } : {}), limit: MAX_LINES }).then(
      (v) => {
        if (!live) return;
        setAvailable(v.available);
        setLines(v.lines);
        setError('');
      },
      (e: unknown) => live && setError(errorText(e)),
    );
    const off = subscribe((e) => {
      if (e.type === 'log' && matches(e.line, level, text)) setLines((ls) => [...ls, e.line].slice(-MAX_LINES));
    });
    return () => {
      live = false;
      off();
    };
  }, [client, subscribe, level, text]);

  return (
    <section aria-labelledby="logs-title">
      <h1 id="logs-title" tabIndex={-1}>
        Logs
      </h1>
      <SecurityEvents client={client} subscribe={subscribe} />
      <h2>Log lines</h2>
      <p className="hint">The bridge's recent structured log. Card numbers and secrets never appear in it.</p>
      <div className="actions">
        <button type="button" onClick={() => void downloadBundle()} disabled={bundle === 'making'} aria-describedby="bundle-hint">
          {bundle === 'making' ? 'Making the support bundle…' : 'Download support bundle'}
        </button>
        <p id="bundle-hint" className="hint" role="status">
          {bundle === 'done' ? 'Support bundle downloaded: send it to whoever supports this bridge.' : 'One zip with versions, settings without secrets, the checks, the last log lines and journal statistics.'}
        </p>
      </div>
      <form className="search" role="search" aria-label="Filter the log" onSubmit={(e) => e.preventDefault()}>
        <SelectField label="At least level" name="level" value={level} options={LEVELS.map((l) => ({ value: l, label: l }))} onChange={(v) => setLevel(v as LogLevelName)} />
        <TextField label="Containing" name="text" type="search" value={text} onChange={setText} />
      </form>
      <ErrorNote>{error}</ErrorNote>
      {!available ? <p className="empty">This bridge keeps no log in memory; its log goes to its standard output (or the service's log file).</p> : null}
      {available && lines.length === 0 ? <p className="empty">No log lines match.</p> : null}
      {lines.length > 0 ? (
        <div className="table-wrap log-wrap" tabIndex={0} aria-label="Log lines">
          <table className="log">
            <thead>
              <tr>
                <th scope="col">Time</th>
                <th scope="col">Level</th>
                <th scope="col">Message</th>
                <th scope="col">Details</th>
              </tr>
            </thead>
            <tbody>
              {lines.map((l) => (
                <tr key={l.seq} className={`log-${l.level}`}>
                  <td className="nowrap">{new Date(l.time).toLocaleTimeString()}</td>
                  <td>{l.level}</td>
                  <td>{l.msg}</td>
                  <td className="mono small">{Object.keys(l.fields).length ? JSON.stringify(l.fields) : ''}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ) : null}
    </section>
  );
}
