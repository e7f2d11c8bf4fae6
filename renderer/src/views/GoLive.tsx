import { useEffect, useState, type FormEvent } from 'react';
import { errorText, fieldErrors, type BridgeClient, type GoLiveCredentials, type GoLiveReport, type SecretInput } from '../client/types';
import { Badge, ErrorNote, SelectField, TextField } from '../components/ui';

interface EposEntry {
  id: string;
  environment: 'demo' | 'live';
  terminalId: string;
}

type SecretMode = 'env' | 'value';

const STATUS_WORD = { ok: 'OK', fail: 'Fix', skip: 'Not checked' } as const;
const STATUS_TONE = { ok: 'approved', fail: 'declined', skip: 'neutral' } as const;

/** The go-live check's steps, each with its reason and its fix. */
function Steps({ report }: { report: GoLiveReport }) {
  return (
    <div aria-live="polite">
      <p>
        <strong>{report.ready ? 'Ready for Live payments.' : 'Not ready for Live yet.'}</strong>
      </p>
      <ul className="checks" aria-label="Go-live steps">
        {report.steps.map((s) => (
          <li key={s.id}>
            <Badge tone={STATUS_TONE[s.status]}>{STATUS_WORD[s.status]}</Badge> {s.text}
            {s.fix ? <p className="hint">{s.fix}</p> : null}
          </li>
        ))}
      </ul>
    </div>
  );
}

function SecretField({ label, name, mode, value, onMode, onValue, error }: { label: string; name: string; mode: SecretMode; value: string; onMode(m: SecretMode): void; onValue(v: string): void; error?: string | undefined }) {
  return (
    <div className="secret-field">
      <SelectField
        label={`${label}: where it comes from`}
        name={`${name}-mode`}
        value={mode}
        options={[
          { value: 'env', label: 'An environment variable (service)' },
          { value: 'value', label: 'Typed here, kept in the keychain (desktop)' },
        ]}
        onChange={(v) => onMode(v as SecretMode)}
      />
      <TextField label={mode === 'env' ? `${label}: environment variable name` : label} name={name} type={mode === 'env' ? 'text' : 'password'} value={value} onChange={onValue} error={error} />
    </div>
  );
}

/**
 * From Demo to Live, the way myPOS's Partner Portal goes: nothing carries over (a Live integration, new Partner and
 * Merchant credentials, the merchant approves again, the real terminal's TID), so the terminal is checked with the
 * Live credentials before it is switched; a Live terminal can be checked again at any time.
 */
export function GoLive({ client }: { client: BridgeClient }) {
  const [terminals, setTerminals] = useState<EposEntry[] | undefined>();
  const [selected, setSelected] = useState('');
  const [form, setForm] = useState({ partnerId: '', applicationId: '', partnerClientId: '', merchantClientId: '', terminalId: '', partnerSecret: '', merchantSecret: '' });
  const [modes, setModes] = useState<{ partnerSecret: SecretMode; merchantSecret: SecretMode }>({ partnerSecret: 'env', merchantSecret: 'env' });
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
          .map((t) => ({ id: String(t.id), environment: t.environment === 'live' ? ('live' as const) : ('demo' as const), terminalId: String(t.terminalId ?? '') }));
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
  const secret = (k: 'partnerSecret' | 'merchantSecret'): SecretInput => (modes[k] === 'env' ? { env: form[k].trim() } : { value: form[k] });
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
      setMessage(answer.message);
      if (answer.switched) setTerminals((ts) => ts?.map((t) => (t.id === selected ? { ...t, environment: 'live' } : t)));
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
        Go live
      </h1>
      <p className="hint">
        myPOS has two environments that share nothing: Demo for trying out and Live for real money. A terminal goes live with the Live
        integration&apos;s credentials after the merchant approved it; the bridge checks every step before it switches.
      </p>
      <ErrorNote>{error}</ErrorNote>
      {terminals && terminals.length === 0 ? <p className="empty">No myPOS cloud terminal (ePOS) is configured: Live and Demo apply to those only.</p> : null}
      {terminals && terminals.length > 0 ? (
        <>
          <SelectField
            label="Terminal"
            name="golive-terminal"
            value={selected}
            options={terminals.map((t) => ({ value: t.id, label: `${t.id} — TID ${t.terminalId} — ${t.environment === 'live' ? 'Live' : 'Demo'}` }))}
            onChange={(v) => {
              setSelected(v);
              setReport(undefined);
              setMessage('');
            }}
          />
          {entry?.environment === 'live' ? (
            <div className="actions">
              <button type="button" onClick={() => void checkAgain()} disabled={busy}>
                {busy ? 'Checking…' : 'Run the go-live check'}
              </button>
            </div>
          ) : null}
          {entry?.environment === 'demo' ? (
            <form onSubmit={(e) => void switchToLive(e)} aria-labelledby="golive-switch-title">
              <h2 id="golive-switch-title">Switch {entry.id} from Demo to Live</h2>
              <div className="warning" role="note">
                <strong>Nothing carries over from Demo.</strong> Live needs the Live integration (it passed the Integration Checklist in
                partners.mypos.com), new Partner credentials from its Summary tab, the merchant&apos;s approval again and new Merchant
                credentials from its Merchants tab, and the TID of the merchant&apos;s real terminal. Real cards are charged after the switch.
              </div>
              <div className="form-grid">
                <TextField label="Partner ID (mps-p-…)" name="partnerId" value={form.partnerId} onChange={set('partnerId')} error={issues['partnerId']} />
                <TextField label="Application ID (mps-app-…)" name="applicationId" value={form.applicationId} onChange={set('applicationId')} error={issues['applicationId']} />
                <TextField label="Partner Client ID (client_…)" name="partnerClientId" value={form.partnerClientId} onChange={set('partnerClientId')} error={issues['partnerClientId']} />
                <SecretField label="Partner Secret" name="partnerSecret" mode={modes.partnerSecret} value={form.partnerSecret} onMode={(m) => setModes((x) => ({ ...x, partnerSecret: m }))} onValue={set('partnerSecret')} error={issues['credentials.partnerSecret'] ?? issues['partnerSecret']} />
                <TextField label="Merchant Client ID (cli_…)" name="merchantClientId" value={form.merchantClientId} onChange={set('merchantClientId')} error={issues['merchantClientId']} />
                <SecretField label="Merchant Client Secret" name="merchantSecret" mode={modes.merchantSecret} value={form.merchantSecret} onMode={(m) => setModes((x) => ({ ...x, merchantSecret: m }))} onValue={set('merchantSecret')} error={issues['credentials.merchantSecret'] ?? issues['merchantSecret']} />
                <TextField label="Live terminal ID (TID)" name="terminalId" value={form.terminalId} onChange={set('terminalId')} hint={`Empty: keep ${entry.terminalId}`} error={issues['terminalId']} />
              </div>
              <div className="actions">
                <button type="submit" disabled={busy}>
                  {busy ? 'Checking…' : 'Check and switch to Live'}
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
      <h2>myPOS Support</h2>
      <p className="hint">What myPOS Support asks for — Partner ID, Application ID, environment, versions, terminal IDs, the last error. No secret is in it.</p>
      <div className="actions">
        <button type="button" onClick={() => void copyInfo()}>
          Copy support info
        </button>
      </div>
      {info ? (
        <pre className="support-info" aria-label="Support info" tabIndex={0}>
          {info}
        </pre>
      ) : null}
    </section>
  );
}
