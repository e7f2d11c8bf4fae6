import { useEffect, useId, useRef, useState, type FormEvent, type ReactNode } from 'react';
import {
  errorText,
  IPP_PORT_PRESETS,
  type BridgeClient,
  type DeviceList,
  type EposCheckAnswer,
  type EposCredentialsInput,
  type EposTerminalInfo,
  type IppPingAnswer,
  type TerminalView,
  type TestPaymentAnswer,
} from '../client/types';
import { Badge, ErrorNote, TextField } from '../components/ui';
import { formatMoney, OUTCOME_LABELS } from '../format';

type Link = 'ipp' | 'usb' | 'epos' | 'sim';

const LINKS: ReadonlyArray<{ id: Link; label: string; hint: string }> = [
  { id: 'ipp', label: 'Terminal on the network (IPP)', hint: 'The terminal runs the myPOS Payment API on the shop network (Wi-Fi or LAN).' },
  { id: 'usb', label: 'USB or Bluetooth', hint: 'The terminal is connected to this computer by cable or paired over Bluetooth.' },
  { id: 'epos', label: 'myPOS cloud terminal (ePOS)', hint: 'The bridge reaches the terminal through myPOS\'s API Gateway over the internet.' },
  { id: 'sim', label: 'Simulated terminal', hint: 'No real terminal: try everything with the built-in simulator. Nothing is charged.' },
];

function Step({ n, title, children }: { n: number; title: string; children: ReactNode }) {
  return (
    <section className="card step" aria-labelledby={`step-${n}-${title}`}>
      <h2 id={`step-${n}-${title}`}>
        <span className="step-no">Step {n}.</span> {title}
      </h2>
      {children}
    </section>
  );
}

function TestResult({ r }: { r: TestPaymentAnswer }) {
  return (
    <div className={`result result-${r.outcome}`} role="status" data-testid="test-payment-result">
      <p>
        Test payment <span className="mono">{r.ref}</span> of {formatMoney(r.amount)}: <Badge tone={r.outcome}>{OUTCOME_LABELS[r.outcome]}</Badge>
      </p>
      <p>{r.message}</p>
      {r.authCode || r.panMasked || r.terminalId ? (
        <p className="small">
          {[r.authCode && `authorisation ${r.authCode}`, r.panMasked && `card ${r.panMasked}`, r.terminalId && `TID ${r.terminalId}`].filter(Boolean).join(' · ')}
        </p>
      ) : null}
    </div>
  );
}

/** Adds (or replaces) a terminal in the config file through the settings API. */
async function saveTerminal(client: BridgeClient, terminal: Record<string, unknown>): Promise<string> {
  const view = await client.settingsGet();
  if (!view.writable) return 'The bridge runs without a config file (demo mode): add this terminal to a config file and start the bridge with --config.';
  const config = JSON.parse(JSON.stringify(view.config)) as { terminals?: Array<Record<string, unknown>> };
  const list = Array.isArray(config.terminals) ? config.terminals : [];
  const at = list.findIndex((t) => t.id === terminal.id);
  if (at >= 0) list[at] = terminal;
  else list.push(terminal);
  config.terminals = list;
  const answer = await client.settingsSave({ config });
  if (!answer.saved) return `Not saved: ${answer.issues.map((i) => `${i.field} ${i.message}`).join('; ')}`;
  return `Saved as terminal "${String(terminal.id)}". Restart the bridge to use it.${answer.warnings.length ? ` Note: ${answer.warnings.join(' ')}` : ''}`;
}

function RunTest({ client, terminals }: { client: BridgeClient; terminals: TerminalView[] }) {
  const [terminal, setTerminal] = useState(terminals[0]?.id ?? '');
  const [busy, setBusy] = useState(false);
  const [result, setResult] = useState<TestPaymentAnswer | undefined>();
  const [error, setError] = useState('');
  const id = useId();
  useEffect(() => {
    if (!terminal && terminals[0]) setTerminal(terminals[0].id);
  }, [terminals, terminal]);
  if (terminals.length === 0) return <p>No terminal is running in the bridge yet.</p>;
  const run = async (): Promise<void> => {
    setBusy(true);
    setError('');
    setResult(undefined);
    try {
      setResult(await client.testPayment({ terminal }));
    } catch (e) {
      setError(errorText(e));
    } finally {
      setBusy(false);
    }
  };
  return (
    <div>
      <div className="field">
        <label htmlFor={id}>Terminal</label>
        <select id={id} value={terminal} onChange={(e) => setTerminal(e.target.value)}>
          {terminals.map((t) => (
            <option key={t.id} value={t.id}>
              {t.id} — {t.link}
            </option>
          ))}
        </select>
      </div>
      <button type="button" className="primary" onClick={() => void run()} disabled={busy}>
        {busy ? 'Running test payment…' : 'Run a test payment of 1.00'}
      </button>
      <ErrorNote>{error}</ErrorNote>
      {result ? <TestResult r={result} /> : null}
    </div>
  );
}

function IppSetup({ client }: { client: BridgeClient }) {
  const [host, setHost] = useState('');
  const [port, setPort] = useState('7900');
  const [busy, setBusy] = useState(false);
  const [answer, setAnswer] = useState<IppPingAnswer | undefined>();
  const [error, setError] = useState('');
  const [saved, setSaved] = useState('');
  const ping = async (e: FormEvent): Promise<void> => {
    e.preventDefault();
    setBusy(true);
    setError('');
    setAnswer(undefined);
    try {
      setAnswer(await client.ippPing({ host: host.trim(), port: Number(port) }));
    } catch (err) {
      setError(errorText(err));
    } finally {
      setBusy(false);
    }
  };
  const save = async (): Promise<void> => {
    try {
      setSaved(
        await saveTerminal(client, {
          id: answer?.terminalId ? `ipp-${answer.terminalId}` : 'ipp-1',
          driver: 'ipp',
          transport: { type: 'tcp', host: host.trim(), port: Number(port) },
          ...(answer?.currency ? { currency: answer.currency } : {}),
        }),
      );
    } catch (err) {
      setSaved(errorText(err));
    }
  };
  return (
    <Step n={2} title="Find the terminal on the network">
      <p>On the terminal, open the Payment API settings and note its IP address. The port is usually 7900 (Cash-register mode) or 60180.</p>
      <form onSubmit={(e) => void ping(e)} className="inline-form">
        <TextField label="Terminal address" name="ipp-host" value={host} onChange={setHost} placeholder="192.168.1.50" />
        <TextField label="Port" name="ipp-port" inputMode="numeric" value={port} onChange={setPort} />
        <div className="field field-actions presets" role="group" aria-label="Port presets">
          {IPP_PORT_PRESETS.map((p) => (
            <button key={p} type="button" onClick={() => setPort(String(p))} aria-pressed={port === String(p)}>
              {p}
            </button>
          ))}
        </div>
        <div className="field field-actions">
          <button type="submit" className="primary" disabled={busy || !host.trim()}>
            {busy ? 'Pinging…' : 'Ping the terminal'}
          </button>
        </div>
      </form>
      <ErrorNote>{error}</ErrorNote>
      {answer ? (
        <div className={`result ${answer.online ? 'result-approved' : 'result-failed'}`} role="status" data-testid="ipp-ping-result">
          <p>{answer.online ? 'The terminal answered.' : 'The terminal did not answer.'} {answer.message}</p>
          {answer.terminalId || answer.model ? (
            <dl className="facts">
              {answer.terminalId ? (
                <>
                  <dt>TID</dt>
                  <dd>{answer.terminalId}</dd>
                </>
              ) : null}
              {answer.model ? (
                <>
                  <dt>Model</dt>
                  <dd>{answer.model}</dd>
                </>
              ) : null}
              {answer.currency ? (
                <>
                  <dt>Currency</dt>
                  <dd>{answer.currency}</dd>
                </>
              ) : null}
            </dl>
          ) : null}
          {answer.online ? (
            <button type="button" onClick={() => void save()}>
              Save this terminal to the settings
            </button>
          ) : null}
          {saved ? <p role="status">{saved}</p> : null}
        </div>
      ) : null}
    </Step>
  );
}

function UsbSetup({ client }: { client: BridgeClient }) {
  const [list, setList] = useState<DeviceList | undefined>();
  const [error, setError] = useState('');
  const load = async (): Promise<void> => {
    try {
      setList(await client.devices());
      setError('');
    } catch (e) {
      setError(errorText(e));
    }
  };
  useEffect(() => {
    void load();
  }, []);
  return (
    <Step n={2} title="Choose the device">
      <button type="button" onClick={() => void load()}>
        Look for devices again
      </button>
      <ErrorNote>{error}</ErrorNote>
      {list ? (
        <>
          {list.devices.length === 0 ? <p className="empty">No device found.</p> : null}
          {list.devices.length > 0 ? (
            <ul className="device-list">
              {list.devices.map((d) => (
                <li key={d.path}>
                  <strong className="mono">{d.path}</strong> — {d.kind}, {d.description}
                </li>
              ))}
            </ul>
          ) : null}
          {list.note ? <p className="hint">{list.note}</p> : null}
        </>
      ) : null}
    </Step>
  );
}

const EPOS_FIELDS: ReadonlyArray<{ key: keyof EposCredentialsInput; label: string; hint: string; secret?: boolean }> = [
  { key: 'partnerId', label: 'Partner ID', hint: 'Partner Portal → your integration → Summary; starts with mps-p-' },
  { key: 'applicationId', label: 'Application ID', hint: 'Same Summary tab; starts with mps-app-' },
  { key: 'partnerClientId', label: 'Partner Client ID', hint: 'Summary tab → Credentials; starts with client_' },
  { key: 'partnerSecret', label: 'Partner Secret', hint: 'Shown once when the credentials are generated; starts with secret_', secret: true },
  { key: 'merchantClientId', label: 'Merchant Client ID', hint: 'Merchants tab, after the merchant approved the integration; starts with cli_' },
  { key: 'merchantSecret', label: 'Merchant Secret', hint: 'Generated with the Merchant Client ID; starts with sec_', secret: true },
];

type EposForm = Record<'partnerId' | 'applicationId' | 'partnerClientId' | 'partnerSecret' | 'merchantClientId' | 'merchantSecret', string>;

function EposSetup({ client }: { client: BridgeClient }) {
  const [form, setForm] = useState<EposForm>({ partnerId: '', applicationId: '', partnerClientId: '', partnerSecret: '', merchantClientId: '', merchantSecret: '' });
  const [env, setEnv] = useState<'demo' | 'live'>('demo');
  const [askLive, setAskLive] = useState(false);
  const [busy, setBusy] = useState('');
  const [check, setCheck] = useState<EposCheckAnswer | undefined>();
  const [terminals, setTerminals] = useState<EposTerminalInfo[] | undefined>();
  const [tid, setTid] = useState('');
  const [test, setTest] = useState<TestPaymentAnswer | undefined>();
  const [error, setError] = useState('');
  const [saved, setSaved] = useState('');
  const confirmRef = useRef<HTMLButtonElement>(null);
  const envName = useId();

  useEffect(() => {
    if (askLive) confirmRef.current?.focus();
  }, [askLive]);

  const creds = (): EposCredentialsInput => ({ ...form, environment: env, ...(env === 'live' ? { liveConfirmed: true } : {}) });
  const reset = (): void => {
    setCheck(undefined);
    setTerminals(undefined);
    setTid('');
    setTest(undefined);
    setSaved('');
  };

  const runCheck = async (e: FormEvent): Promise<void> => {
    e.preventDefault();
    reset();
    setError('');
    setBusy('check');
    try {
      const answer = await client.eposCheck(creds());
      setCheck(answer);
      if (answer.ok) {
        setBusy('terminals');
        const list = await client.eposTerminals(creds());
        setTerminals(list.terminals);
        if (list.terminals.length === 1 && list.terminals[0]) setTid(list.terminals[0].terminalId);
      }
    } catch (err) {
      setError(errorText(err));
    } finally {
      setBusy('');
    }
  };

  const runTest = async (): Promise<void> => {
    setBusy('test');
    setError('');
    setTest(undefined);
    try {
      setTest(await client.eposTestPayment({ ...creds(), terminalId: tid }));
    } catch (err) {
      setError(errorText(err));
    } finally {
      setBusy('');
    }
  };

  const save = async (): Promise<void> => {
    try {
      setSaved(await saveTerminal(client, { id: `epos-${tid}`, driver: 'epos', environment: env, terminalId: tid, ...form }));
    } catch (err) {
      setSaved(errorText(err));
    }
  };

  return (
    <>
      <Step n={2} title="Enter the Partner Portal details">
        <p>
          In the myPOS Partner Portal, open your Cash Register integration. Copy each value below from the place named under its field. Use
          the Demo portal for Demo and the Live portal for Live: credentials of one do not work on the other.
        </p>
        <form onSubmit={(e) => void runCheck(e)}>
          <div className="form-grid">
            {EPOS_FIELDS.map((f) => (
              <TextField
                key={f.key}
                label={f.label}
                name={`epos-${f.key}`}
                type={f.secret ? 'password' : 'text'}
                hint={f.hint}
                value={form[f.key as keyof EposForm]}
                onChange={(v) => {
                  setForm({ ...form, [f.key]: v });
                  reset();
                }}
              />
            ))}
          </div>
          <fieldset className="field">
            <legend>Environment</legend>
            <label className="radio">
              <input type="radio" name={envName} value="demo" checked={env === 'demo' && !askLive} onChange={() => { setEnv('demo'); setAskLive(false); reset(); }} /> Demo (test money)
            </label>
            <label className="radio">
              <input type="radio" name={envName} value="live" checked={env === 'live' || askLive} onChange={() => setAskLive(true)} /> Live (real money)
            </label>
          </fieldset>
          {askLive && env !== 'live' ? (
            <div className="confirm" role="alertdialog" aria-labelledby="live-q" aria-describedby="live-d">
              <p id="live-q">
                <strong>Use the Live environment?</strong>
              </p>
              <p id="live-d">Payments on Live charge real cards, including the test payment of this wizard.</p>
              <button type="button" ref={confirmRef} className="danger" onClick={() => { setEnv('live'); setAskLive(false); reset(); }}>
                Yes, use Live
              </button>{' '}
              <button type="button" onClick={() => setAskLive(false)}>
                Stay on Demo
              </button>
            </div>
          ) : null}
          <button type="submit" className="primary" disabled={busy !== '' || askLive}>
            {busy === 'check' ? 'Testing…' : 'Test the credentials'}
          </button>
        </form>
        <ErrorNote>{error}</ErrorNote>
        {check ? (
          <ul className="checks" data-testid="epos-check">
            <li className={check.token.ok ? 'ok' : 'fail'}>
              <strong>{check.token.ok ? 'Passed' : 'Failed'}: access token.</strong> {check.token.message}
            </li>
            {check.session ? (
              <li className={check.session.ok ? 'ok' : 'fail'}>
                <strong>{check.session.ok ? 'Passed' : 'Failed'}: merchant session.</strong> {check.session.message}
              </li>
            ) : null}
          </ul>
        ) : null}
      </Step>
      {terminals ? (
        <Step n={3} title="Pick the terminal">
          {terminals.length === 0 ? <p className="empty">The merchant has no terminal this integration can see. Activate an Ultra or Carbon terminal for the merchant.</p> : null}
          <fieldset className="field">
            <legend>Terminals of the merchant</legend>
            {terminals.map((t) => (
              <label key={t.terminalId} className="radio">
                <input type="radio" name="epos-terminal" value={t.terminalId} checked={tid === t.terminalId} onChange={() => { setTid(t.terminalId); setTest(undefined); }} />{' '}
                {t.terminalId}
                {t.model ? ` — model ${t.model}` : ''}
                {t.serialNumber ? `, serial ${t.serialNumber}` : ''}
              </label>
            ))}
          </fieldset>
        </Step>
      ) : null}
      {tid ? (
        <Step n={4} title="Run a test payment">
          <p>The terminal asks for a card for 1.00. {env === 'live' ? 'This is a real charge.' : 'Demo: no real money moves.'}</p>
          <button type="button" className="primary" onClick={() => void runTest()} disabled={busy !== ''}>
            {busy === 'test' ? 'Waiting for the terminal…' : `Run a test payment on ${tid}`}
          </button>
          {test ? <TestResult r={test} /> : null}
          {test ? (
            <p>
              <button type="button" onClick={() => void save()}>
                Save this terminal to the settings
              </button>
            </p>
          ) : null}
          {saved ? <p role="status">{saved}</p> : null}
        </Step>
      ) : null}
    </>
  );
}

export function Setup({ client }: { client: BridgeClient }) {
  const [link, setLink] = useState<Link | ''>('');
  const [terminals, setTerminals] = useState<TerminalView[]>([]);
  const name = useId();
  useEffect(() => {
    client.state().then((s) => setTerminals(s.terminals), () => undefined);
  }, [client]);
  const simulators = terminals.filter((t) => t.driver === 'simulator');
  return (
    <section aria-labelledby="setup-title">
      <h1 id="setup-title" tabIndex={-1}>
        Set up a terminal
      </h1>
      <Step n={1} title="How is the terminal connected?">
        <fieldset className="field link-choice">
          <legend className="sr-only">Connection</legend>
          {LINKS.map((l) => (
            <label key={l.id} className="radio radio-card">
              <input type="radio" name={name} value={l.id} checked={link === l.id} onChange={() => setLink(l.id)} />
              <span>
                <strong>{l.label}</strong>
                <br />
                <small>{l.hint}</small>
              </span>
            </label>
          ))}
        </fieldset>
      </Step>
      {link === 'ipp' ? <IppSetup client={client} /> : null}
      {link === 'usb' ? <UsbSetup client={client} /> : null}
      {link === 'epos' ? <EposSetup client={client} /> : null}
      {link === 'sim' ? (
        <Step n={2} title="Try the simulated terminal">
          {simulators.length === 0 ? (
            <p>No simulated terminal is running. Start the bridge with <code>register-bridge serve --demo</code>, or add a terminal with driver "simulator" in the settings.</p>
          ) : (
            <RunTest client={client} terminals={simulators} />
          )}
        </Step>
      ) : null}
      {link && link !== 'sim' && terminals.length > 0 ? (
        <section className="card" aria-labelledby="configured-test">
          <h2 id="configured-test">Test a terminal the bridge already runs</h2>
          <RunTest client={client} terminals={terminals} />
        </section>
      ) : null}
    </section>
  );
}
