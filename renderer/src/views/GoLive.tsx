import { useEffect, useState, type FormEvent } from 'react';
import {
  errorText,
  fieldErrors,
  type BridgeClient,
  type GoLiveCredentials,
  type GoLiveReport,
  type SecretInput,
} from '../client/types';
import { Badge, ErrorNote, SelectField, TextField } from '../components/ui';
import { useT } from '../i18n';
import { CoreSays, coreWordsNow } from '../i18n/core-text';

interface EposEntry {
  id: string;
  environment: 'demo' | 'live';
  terminalId: string;
}

type SecretMode = 'env' | 'value';

const STATUS_WORD = { ok: 'golive.statusOk', fail: 'golive.statusFail', skip: 'golive.statusSkip' } as const;
const STATUS_TONE = { ok: 'approved', fail: 'declined', skip: 'neutral' } as const;

/** The go-live check's steps, each with its reason and its fix. */
function Steps({ report }: { report: GoLiveReport }) {
  const t = useT();
  return (
    <div aria-live="polite">
      <p>
        <strong>{report.ready ? t('golive.ready') : t('golive.notReady')}</strong>
      </p>
      <ul className="checks" aria-label={t('golive.steps')}>
        {report.steps.map((s) => (
          <li key={s.id}>
            <Badge tone={STATUS_TONE[s.status]}>{t(STATUS_WORD[s.status])}</Badge>{' '}
            <CoreSays text={s.text} code={s.textCode} />
            {s.fix ? <CoreSays as="p" className="hint" text={s.fix} code={s.fixCode} /> : null}
          </li>
        ))}
      </ul>
    </div>
  );
}

function SecretField({
  label,
  name,
  mode,
  value,
  onMode,
  onValue,
  error,
}: {
  label: string;
  name: string;
  mode: SecretMode;
  value: string;
  onMode(m: SecretMode): void;
  onValue(v: string): void;
  error?: string | undefined;
}) {
  const t = useT();
  return (
    <div className="secret-field">
      <SelectField
        label={t('golive.secretFrom', { label })}
        name={`${name}-mode`}
        value={mode}
        options={[
          { value: 'env', label: t('golive.secretEnv') },
          { value: 'value', label: t('golive.secretValue') },
        ]}
        onChange={(v) => onMode(v as SecretMode)}
      />
      <TextField
        label={mode === 'env' ? t('golive.secretEnvName', { label }) : label}
        name={name}
        type={mode === 'env' ? 'text' : 'password'}
        value={value}
        onChange={onValue}
        error={error}
      />
    </div>
  );
}

/**
 * From Demo to Live, the way myPOS's Partner Portal goes: nothing carries over (a Live integration, new Partner and
 * Merchant credentials, the merchant approves again, the real terminal's TID), so the terminal is checked with the
 * Live credentials before it is switched; a Live terminal can be checked again at any time.
 */
export function GoLive({ client }: { client: BridgeClient }) {
  const t = useT();
  const [terminals, setTerminals] = useState<EposEntry[] | undefined>();
  const [selected, setSelected] = useState('');
  const [form, setForm] = useState({
    partnerId: '',
    applicationId: '',
    partnerClientId: '',
    merchantClientId: '',
    terminalId: '',
    partnerSecret: '',
    merchantSecret: '',
  });
  const [modes, setModes] = useState<{ partnerSecret: SecretMode; merchantSecret: SecretMode }>({
    partnerSecret: 'env',
    merchantSecret: 'env',
  });
  const [report, setReport] = useState<GoLiveReport | undefined>();
  const [message, setMessage] = useState('');
  const [error, setError] = useState('');
  const [issues, setIssues] = useState<Record<string, string>>({});
  const [busy, setBusy] = useState(false);
  const [info, setInfo] = useState('');

  useEffect(() => {
    let live = true;
    client.settingsGet().then(
      (v) => {
        if (!live) return;
        const list = ((v.config as { terminals?: Array<Record<string, unknown>> } | null)?.terminals ?? [])
          .filter((t) => t.driver === 'epos')
          .map((t) => ({
            id: String(t.id),
            environment: t.environment === 'live' ? ('live' as const) : ('demo' as const),
            terminalId: String(t.terminalId ?? ''),
          }));
        setTerminals(list);
        if (list[0]) setSelected(list[0].id);
      },
      (e: unknown) => live && setError(errorText(e)),
    );
    return () => {
      live = false;
    };
  }, [client]);

  const entry = terminals?.find((t) => t.id === selected);
  const set = (k: keyof typeof form) => (v: string) => setForm((f) => ({ ...f, [k]: v }));
  const secret = (k: 'partnerSecret' | 'merchantSecret'): SecretInput =>
    modes[k] === 'env' ? { env: form[k].trim() } : { value: form[k] };
  const credentials = (): GoLiveCredentials => ({
    partnerId: form.partnerId.trim(),
    applicationId: form.applicationId.trim(),
    partnerClientId: form.partnerClientId.trim(),
    partnerSecret: secret('partnerSecret'),
    merchantClientId: form.merchantClientId.trim(),
    merchantSecret: secret('merchantSecret'),
    ...(form.terminalId.trim() ? { terminalId: form.terminalId.trim() } : {}),
  });

  const start = (): void => {
    setBusy(true);
    setError('');
    setIssues({});
    setMessage('');
    setReport(undefined);
  };
  const failed = (e: unknown): void => {
    setError(errorText(e));
    setIssues(fieldErrors(e));
  };

  const checkAgain = async (): Promise<void> => {
    start();
    try {
      setReport(await client.goLiveCheck({ terminal: selected }));
    } catch (e) {
      failed(e);
    } finally {
      setBusy(false);
    }
  };

  const switchToLive = async (e: FormEvent): Promise<void> => {
    e.preventDefault();
    start();
    try {
      const answer = await client.goLiveSwitch({ terminal: selected, credentials: credentials() });
      setReport(answer.report);
      setMessage(coreWordsNow(answer.message, answer.messageCode));
      if (answer.switched)
        setTerminals((ts) => ts?.map((t) => (t.id === selected ? { ...t, environment: 'live' } : t)));
    } catch (err) {
      failed(err);
    } finally {
      setBusy(false);
    }
  };

  const copyInfo = async (): Promise<void> => {
    try {
      const { text } = await client.supportInfo();
      setInfo(text);
      await navigator.clipboard?.writeText(text).catch(() => undefined);
    } catch (e) {
      setError(errorText(e));
    }
  };

  return (
    <section aria-labelledby="golive-title">
      <h1 id="golive-title" tabIndex={-1}>
        {t('app.view.golive')}
      </h1>
      <p className="hint">{t('golive.intro')}</p>
      <ErrorNote>{error}</ErrorNote>
      {terminals && terminals.length === 0 ? <p className="empty">{t('golive.noEpos')}</p> : null}
      {terminals && terminals.length > 0 ? (
        <>
          <SelectField
            label={t('common.terminal')}
            name="golive-terminal"
            value={selected}
            options={terminals.map((x) => ({
              value: x.id,
              label: t('golive.terminalOption', {
                id: x.id,
                tid: x.terminalId,
                environment: x.environment === 'live' ? 'Live' : 'Demo',
              }),
            }))}
            onChange={(v) => {
              setSelected(v);
              setReport(undefined);
              setMessage('');
            }}
          />
          {entry?.environment === 'live' ? (
            <div className="actions">
              <button type="button" onClick={() => void checkAgain()} disabled={busy}>
                {busy ? t('golive.checking') : t('golive.check')}
              </button>
            </div>
          ) : null}
          {entry?.environment === 'demo' ? (
            <form onSubmit={(e) => void switchToLive(e)} aria-labelledby="golive-switch-title">
              <h2 id="golive-switch-title">{t('golive.switchTitle', { id: entry.id })}</h2>
              <div className="warning" role="note">
                <strong>{t('golive.warningStrong')}</strong> {t('golive.warning')}
              </div>
              <div className="form-grid">
                <TextField
                  label={t('golive.partnerId')}
                  name="partnerId"
                  value={form.partnerId}
                  onChange={set('partnerId')}
                  error={issues['partnerId']}
                />
                <TextField
                  label={t('golive.applicationId')}
                  name="applicationId"
                  value={form.applicationId}
                  onChange={set('applicationId')}
                  error={issues['applicationId']}
                />
                <TextField
                  label={t('golive.partnerClientId')}
                  name="partnerClientId"
                  value={form.partnerClientId}
                  onChange={set('partnerClientId')}
                  error={issues['partnerClientId']}
                />
                <SecretField
                  label={t('golive.partnerSecret')}
                  name="partnerSecret"
                  mode={modes.partnerSecret}
                  value={form.partnerSecret}
                  onMode={(m) => setModes((x) => ({ ...x, partnerSecret: m }))}
                  onValue={set('partnerSecret')}
                  error={issues['credentials.partnerSecret'] ?? issues['partnerSecret']}
                />
                <TextField
                  label={t('golive.merchantClientId')}
                  name="merchantClientId"
                  value={form.merchantClientId}
                  onChange={set('merchantClientId')}
                  error={issues['merchantClientId']}
                />
                <SecretField
                  label={t('golive.merchantSecret')}
                  name="merchantSecret"
                  mode={modes.merchantSecret}
                  value={form.merchantSecret}
                  onMode={(m) => setModes((x) => ({ ...x, merchantSecret: m }))}
                  onValue={set('merchantSecret')}
                  error={issues['credentials.merchantSecret'] ?? issues['merchantSecret']}
                />
                <TextField
                  label={t('golive.terminalId')}
                  name="terminalId"
                  value={form.terminalId}
                  onChange={set('terminalId')}
                  hint={t('golive.terminalIdHint', { tid: entry.terminalId })}
                  error={issues['terminalId']}
                />
              </div>
              <div className="actions">
                <button type="submit" disabled={busy}>
                  {busy ? t('golive.checking') : t('golive.switch')}
                </button>
              </div>
            </form>
          ) : null}
          {message ? (
            <p role="status" className="hint">
              {message}
            </p>
          ) : null}
          {report ? <Steps report={report} /> : null}
        </>
      ) : null}
      <h2>{t('golive.support')}</h2>
      <p className="hint">{t('golive.supportHint')}</p>
      <div className="actions">
        <button type="button" onClick={() => void copyInfo()}>
          {t('golive.copy')}
        </button>
      </div>
      {info ? (
        <pre className="support-info" aria-label={t('golive.supportInfo')} tabIndex={0}>
          {info}
        </pre>
      ) : null}
    </section>
  );
}
