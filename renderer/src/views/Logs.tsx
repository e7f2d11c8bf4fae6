import { useEffect, useState } from 'react';
import type { Subscribe } from '../App';
import { errorText, type BridgeClient, type LogLevelName, type LogLine } from '../client/types';
import { ErrorNote, SelectField, TextField } from '../components/ui';
import { SecurityEvents } from '../components/SecurityEvents';
import { downloadBase64 } from '../download';
import { formatClock } from '../format';
import { useT } from '../i18n';

const LEVELS: readonly LogLevelName[] = ['trace', 'debug', 'info', 'warn', 'error', 'fatal'];
const MAX_LINES = 500;

function matches(l: LogLine, level: LogLevelName, text: string): boolean {
  if (LEVELS.indexOf(l.level) < LEVELS.indexOf(level)) return false;
  if (!text) return true;
  const t = text.toLowerCase();
  return l.msg.toLowerCase().includes(t) || JSON.stringify(l.fields).toLowerCase().includes(t);
}

export function Logs({ client, subscribe }: { client: BridgeClient; subscribe: Subscribe }) {
  const t = useT();
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
        {t('app.view.logs')}
      </h1>
      <SecurityEvents client={client} subscribe={subscribe} />
      <h2>{t('security.logLines')}</h2>
      <p className="hint">{t('logs.intro')}</p>
      <div className="actions">
        <button
          type="button"
          onClick={() => void downloadBundle()}
          disabled={bundle === 'making'}
          aria-describedby="bundle-hint"
        >
          {bundle === 'making' ? t('logs.bundleMaking') : t('logs.bundle')}
        </button>
        <p id="bundle-hint" className="hint" role="status">
          {bundle === 'done' ? t('logs.bundleDone') : t('logs.bundleHint')}
        </p>
      </div>
      <form className="search" role="search" aria-label={t('logs.filter')} onSubmit={(e) => e.preventDefault()}>
        <SelectField
          label={t('logs.atLeast')}
          name="level"
          value={level}
          options={LEVELS.map((l) => ({ value: l, label: t(`logLevel.${l}`) }))}
          onChange={(v) => setLevel(v as LogLevelName)}
        />
        <TextField label={t('logs.containing')} name="text" type="search" value={text} onChange={setText} />
      </form>
      <ErrorNote>{error}</ErrorNote>
      {!available ? <p className="empty">{t('logs.notKept')}</p> : null}
      {available && lines.length === 0 ? <p className="empty">{t('logs.noMatch')}</p> : null}
      {lines.length > 0 ? (
        <div className="table-wrap log-wrap" tabIndex={0} aria-label={t('logs.lines')}>
          <table className="log">
            <thead>
              <tr>
                <th scope="col">{t('common.time')}</th>
                <th scope="col">{t('logs.level')}</th>
                <th scope="col">{t('common.message')}</th>
                <th scope="col">{t('logs.details')}</th>
              </tr>
            </thead>
            <tbody>
              {lines.map((l) => (
                <tr key={l.seq} className={`log-${l.level}`}>
                  <td className="nowrap">{formatClock(l.time)}</td>
                  <td>{t(`logLevel.${l.level}`)}</td>
                  <td data-source="bridge">{l.msg}</td>
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
