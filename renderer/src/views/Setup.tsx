import { useCallback, useEffect, useId, useRef, useState, type FormEvent, type ReactNode } from 'react';
import {
  errorText,
  issueText,
  warningTexts,
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
import { formatMoney } from '../format';
import { Text, useT, type Translate } from '../i18n';
import { CoreSays, PaymentSays } from '../i18n/core-text';

type Link = 'ipp' | 'usb' | 'epos' | 'sim';

const LINKS: readonly Link[] = ['ipp', 'usb', 'epos', 'sim'];

function Step({ n, title, children }: { n: number; title: string; children: ReactNode }) {
  const t = useT();
  return (
    <section className="card step" aria-labelledby={`step-${n}`} data-step={n}>
      <h2 id={`step-${n}`}>
        <span className="step-no">{t('setup.step', { n })}</span> {title}
      </h2>
      {children}
    </section>
  );
}

function TestResult({ r }: { r: TestPaymentAnswer }) {
  const t = useT();
  return (
    <div className={`result result-${r.outcome}`} role="status" data-testid="test-payment-result">
      <p>
        <Text
          k="setup.testResult"
          values={{ ref: r.ref, amount: formatMoney(r.amount) }}
          tags={{ code: <span className="mono" /> }}
        />{' '}
        <Badge tone={r.outcome}>{t(`outcome.${r.outcome}`)}</Badge>
      </p>
      <PaymentSays as="p" payment={{ ...r, stage: 'done' }} />
      {r.authCode || r.panMasked || r.terminalId ? (
        <p className="small">
          {[
            r.authCode && t('setup.authorisation', { code: r.authCode }),
            r.panMasked && t('setup.card', { pan: r.panMasked }),
            r.terminalId && t('setup.tid', { tid: r.terminalId }),
          ]
            .filter(Boolean)
            .join(' · ')}
        </p>
      ) : null}
    </div>
  );
}

/** Adds (or replaces) a terminal in the config file through the settings API. */
async function saveTerminal(client: BridgeClient, terminal: Record<string, unknown>, t: Translate): Promise<string> {
  const view = await client.settingsGet();
  if (!view.writable) return t('setup.noConfigFile');
  const config = JSON.parse(JSON.stringify(view.config)) as { terminals?: Array<Record<string, unknown>> };
  const list = Array.isArray(config.terminals) ? config.terminals : [];
  const at = list.findIndex((t) => t.id === terminal.id);
  if (at >= 0) list[at] = terminal;
  else list.push(terminal);
  config.terminals = list;
  const answer = await client.settingsSave({ config });
  if (!answer.saved)
    return t('setup.notSaved', { issues: answer.issues.map((i) => `${i.field} ${issueText(i)}`).join('; ') });
  const saved = t('setup.savedAs', { id: String(terminal.id) });
  return answer.warnings.length
    ? `${saved} ${t('setup.savedNote', { warnings: warningTexts(answer).join(' ') })}`
    : saved;
}

function RunTest({ client, terminals }: { client: BridgeClient; terminals: TerminalView[] }) {
  const t = useT();
  const [terminal, setTerminal] = useState(terminals[0]?.id ?? '');
  const [busy, setBusy] = useState(false);
  const [result, setResult] = useState<TestPaymentAnswer | undefined>();
  const [error, setError] = useState('');
  const id = useId();
  // The first terminal is chosen once one is running, adjusted while rendering rather than in an effect.
  if (!terminal && terminals[0]) setTerminal(terminals[0].id);
  if (terminals.length === 0) return <p>{t('setup.noTerminalRunning')}</p>;
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
        <label htmlFor={id}>{t('common.terminal')}</label>
        <select id={id} value={terminal} onChange={(e) => setTerminal(e.target.value)}>
          {terminals.map((term) => (
            <option key={term.id} value={term.id}>
              {term.id} — {term.link}
            </option>
          ))}
        </select>
      </div>
      <button type="button" className="primary" data-action="test-payment" onClick={() => void run()} disabled={busy}>
        {busy ? t('setup.testRunning') : t('setup.runTest')}
      </button>
      <ErrorNote>{error}</ErrorNote>
      {result ? <TestResult r={result} /> : null}
    </div>
  );
}

function IppSetup({ client }: { client: BridgeClient }) {
  const t = useT();
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
        await saveTerminal(
          client,
          {
            id: answer?.terminalId ? `ipp-${answer.terminalId}` : 'ipp-1',
            driver: 'ipp',
            transport: { type: 'tcp', host: host.trim(), port: Number(port) },
            ...(answer?.currency ? { currency: answer.currency } : {}),
          },
          t,
        ),
      );
    } catch (err) {
      setSaved(errorText(err));
    }
  };
  return (
    <Step n={2} title={t('setup.ipp.title')}>
      <p>{t('setup.ipp.intro')}</p>
      <form onSubmit={(e) => void ping(e)} className="inline-form">
        <TextField
          label={t('setup.ipp.address')}
          name="ipp-host"
          value={host}
          onChange={setHost}
          placeholder={t('setup.ipp.addressExample')}
        />
        <TextField label={t('setup.ipp.port')} name="ipp-port" inputMode="numeric" value={port} onChange={setPort} />
        <div className="field field-actions presets" role="group" aria-label={t('setup.ipp.presets')}>
          {IPP_PORT_PRESETS.map((p) => (
            <button key={p} type="button" onClick={() => setPort(String(p))} aria-pressed={port === String(p)}>
              {p}
            </button>
          ))}
        </div>
        <div className="field field-actions">
          <button type="submit" className="primary" disabled={busy || !host.trim()}>
            {busy ? t('setup.ipp.pinging') : t('setup.ipp.ping')}
          </button>
        </div>
      </form>
      <ErrorNote>{error}</ErrorNote>
      {answer ? (
        <div
          className={`result ${answer.online ? 'result-approved' : 'result-failed'}`}
          role="status"
          data-testid="ipp-ping-result"
          data-online={answer.online}
        >
          <p>
            {answer.online ? t('setup.ipp.answered') : t('setup.ipp.noAnswer')}{' '}
            <CoreSays text={answer.message} code={answer.messageCode} />
          </p>
          {answer.terminalId || answer.model ? (
            <dl className="facts">
              {answer.terminalId ? (
                <>
                  <dt>{t('common.tid')}</dt>
                  <dd>{answer.terminalId}</dd>
                </>
              ) : null}
              {answer.model ? (
                <>
                  <dt>{t('setup.model')}</dt>
                  <dd>{answer.model}</dd>
                </>
              ) : null}
              {answer.currency ? (
                <>
                  <dt>{t('reports.currency')}</dt>
                  <dd>{answer.currency}</dd>
                </>
              ) : null}
            </dl>
          ) : null}
          {answer.online ? (
            <button type="button" onClick={() => void save()}>
              {t('setup.saveTerminal')}
            </button>
          ) : null}
          {saved ? <p role="status">{saved}</p> : null}
        </div>
      ) : null}
    </Step>
  );
}

function UsbSetup({ client }: { client: BridgeClient }) {
  const t = useT();
  const [list, setList] = useState<DeviceList | undefined>();
  const [error, setError] = useState('');
  const load = useCallback(async (): Promise<void> => {
    try {
      setList(await client.devices());
      setError('');
    } catch (e) {
      setError(errorText(e));
    }
  }, [client]);
  useEffect(() => {
    // eslint-disable-next-line react-hooks/set-state-in-effect -- the list is set when the answer arrives, not synchronously
    void load();
  }, [load]);
  return (
    <Step n={2} title={t('setup.usb.title')}>
      <button type="button" onClick={() => void load()}>
        {t('setup.usb.again')}
      </button>
      <ErrorNote>{error}</ErrorNote>
      {list ? (
        <>
          {list.devices.length === 0 ? <p className="empty">{t('setup.usb.none')}</p> : null}
          {list.devices.length > 0 ? (
            <ul className="device-list">
              {list.devices.map((d) => (
                <li key={d.path}>
                  <strong className="mono">{d.path}</strong> — {t(`setup.usb.kind.${d.kind}`)},{' '}
                  <CoreSays text={d.description} code={d.descriptionCode} />
                </li>
              ))}
            </ul>
          ) : null}
          {list.note ? <CoreSays as="p" className="hint" text={list.note} code={list.noteCode} /> : null}
        </>
      ) : null}
    </Step>
  );
}

const EPOS_FIELDS: ReadonlyArray<{ key: keyof EposForm; secret?: boolean }> = [
  { key: 'partnerId' },
  { key: 'applicationId' },
  { key: 'partnerClientId' },
  { key: 'partnerSecret', secret: true },
  { key: 'merchantClientId' },
  { key: 'merchantSecret', secret: true },
];

type EposForm = Record<
  'partnerId' | 'applicationId' | 'partnerClientId' | 'partnerSecret' | 'merchantClientId' | 'merchantSecret',
  string
>;

function EposSetup({ client }: { client: BridgeClient }) {
  const t = useT();
  const [form, setForm] = useState<EposForm>({
    partnerId: '',
    applicationId: '',
    partnerClientId: '',
    partnerSecret: '',
    merchantClientId: '',
    merchantSecret: '',
  });
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

  const creds = (): EposCredentialsInput => ({
    ...form,
    environment: env,
    ...(env === 'live' ? { liveConfirmed: true } : {}),
  });
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
      setSaved(
        await saveTerminal(
          client,
          { id: `epos-${tid}`, driver: 'epos', environment: env, terminalId: tid, ...form },
          t,
        ),
      );
    } catch (err) {
      setSaved(errorText(err));
    }
  };

  return (
    <>
      <Step n={2} title={t('setup.epos.title')}>
        <p>{t('setup.epos.intro')}</p>
        <form onSubmit={(e) => void runCheck(e)}>
          <div className="form-grid">
            {EPOS_FIELDS.map((f) => (
              <TextField
                key={f.key}
                label={t(`setup.epos.field.${f.key}`)}
                name={`epos-${f.key}`}
                type={f.secret ? 'password' : 'text'}
                hint={t(`setup.epos.hint.${f.key}`)}
                value={form[f.key]}
                onChange={(v) => {
                  setForm({ ...form, [f.key]: v });
                  reset();
                }}
              />
            ))}
          </div>
          <fieldset className="field">
            <legend>{t('setup.epos.environment')}</legend>
            <label className="radio">
              <input
                type="radio"
                name={envName}
                value="demo"
                checked={env === 'demo' && !askLive}
                onChange={() => {
                  setEnv('demo');
                  setAskLive(false);
                  reset();
                }}
              />{' '}
              {t('setup.epos.demo')}
            </label>
            <label className="radio">
              <input
                type="radio"
                name={envName}
                value="live"
                checked={env === 'live' || askLive}
                onChange={() => setAskLive(true)}
              />{' '}
              {t('setup.epos.live')}
            </label>
          </fieldset>
          {askLive && env !== 'live' ? (
            <div className="confirm" role="alertdialog" aria-labelledby="live-q" aria-describedby="live-d">
              <p id="live-q">
                <strong>{t('setup.epos.askLive')}</strong>
              </p>
              <p id="live-d">{t('setup.epos.askLiveText')}</p>
              <button
                type="button"
                ref={confirmRef}
                className="danger"
                onClick={() => {
                  setEnv('live');
                  setAskLive(false);
                  reset();
                }}
              >
                {t('setup.epos.yesLive')}
              </button>{' '}
              <button type="button" onClick={() => setAskLive(false)}>
                {t('setup.epos.stayDemo')}
              </button>
            </div>
          ) : null}
          <button type="submit" className="primary" disabled={busy !== '' || askLive}>
            {busy === 'check' ? t('setup.epos.testing') : t('setup.epos.test')}
          </button>
        </form>
        <ErrorNote>{error}</ErrorNote>
        {check ? (
          <ul className="checks" data-testid="epos-check">
            <li className={check.token.ok ? 'ok' : 'fail'} data-check="token" data-ok={check.token.ok}>
              <strong>{check.token.ok ? t('setup.epos.tokenPassed') : t('setup.epos.tokenFailed')}</strong>{' '}
              <CoreSays text={check.token.message} code={check.token.messageCode} />
            </li>
            {check.session ? (
              <li className={check.session.ok ? 'ok' : 'fail'} data-check="session" data-ok={check.session.ok}>
                <strong>{check.session.ok ? t('setup.epos.sessionPassed') : t('setup.epos.sessionFailed')}</strong>{' '}
                <CoreSays text={check.session.message} code={check.session.messageCode} />
              </li>
            ) : null}
          </ul>
        ) : null}
      </Step>
      {terminals ? (
        <Step n={3} title={t('setup.epos.pickTitle')}>
          {terminals.length === 0 ? <p className="empty">{t('setup.epos.noTerminals')}</p> : null}
          <fieldset className="field">
            <legend>{t('setup.epos.merchantTerminals')}</legend>
            {terminals.map((term) => (
              <label key={term.terminalId} className="radio">
                <input
                  type="radio"
                  name="epos-terminal"
                  value={term.terminalId}
                  checked={tid === term.terminalId}
                  onChange={() => {
                    setTid(term.terminalId);
                    setTest(undefined);
                  }}
                />{' '}
                {term.terminalId}
                {term.model ? ` — ${t('setup.epos.model', { model: term.model })}` : ''}
                {term.serialNumber ? `, ${t('setup.epos.serial', { serial: term.serialNumber })}` : ''}
              </label>
            ))}
          </fieldset>
        </Step>
      ) : null}
      {tid ? (
        <Step n={4} title={t('setup.epos.testTitle')}>
          <p>
            {t('setup.epos.testIntro')} {env === 'live' ? t('setup.epos.realCharge') : t('setup.epos.demoCharge')}
          </p>
          <button
            type="button"
            className="primary"
            data-action="epos-test-payment"
            onClick={() => void runTest()}
            disabled={busy !== ''}
          >
            {busy === 'test' ? t('setup.epos.waiting') : t('setup.epos.runOn', { tid })}
          </button>
          {test ? <TestResult r={test} /> : null}
          {test ? (
            <p>
              <button type="button" onClick={() => void save()}>
                {t('setup.saveTerminal')}
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
  const t = useT();
  const [link, setLink] = useState<Link | ''>('');
  const [terminals, setTerminals] = useState<TerminalView[]>([]);
  const name = useId();
  useEffect(() => {
    client.state().then(
      (s) => setTerminals(s.terminals),
      () => undefined,
    );
  }, [client]);
  const simulators = terminals.filter((t) => t.driver === 'simulator');
  return (
    <section aria-labelledby="setup-title">
      <h1 id="setup-title" tabIndex={-1}>
        {t('setup.title')}
      </h1>
      <Step n={1} title={t('setup.howConnected')}>
        <fieldset className="field link-choice">
          <legend className="sr-only">{t('setup.connection')}</legend>
          {LINKS.map((l) => (
            <label key={l} className="radio radio-card">
              <input type="radio" name={name} value={l} checked={link === l} onChange={() => setLink(l)} />
              <span>
                <strong>{t(`setup.link.${l}`)}</strong>
                <br />
                <small>{t(`setup.linkHint.${l}`)}</small>
              </span>
            </label>
          ))}
        </fieldset>
      </Step>
      {link === 'ipp' ? <IppSetup client={client} /> : null}
      {link === 'usb' ? <UsbSetup client={client} /> : null}
      {link === 'epos' ? <EposSetup client={client} /> : null}
      {link === 'sim' ? (
        <Step n={2} title={t('setup.sim.title')}>
          {simulators.length === 0 ? (
            <p>
              <Text k="setup.sim.none" tags={{ code: <code /> }} />
            </p>
          ) : (
            <RunTest client={client} terminals={simulators} />
          )}
        </Step>
      ) : null}
      {link && link !== 'sim' && terminals.length > 0 ? (
        <section className="card" aria-labelledby="configured-test">
          <h2 id="configured-test">{t('setup.testConfigured')}</h2>
          <RunTest client={client} terminals={terminals} />
        </section>
      ) : null}
    </section>
  );
}
