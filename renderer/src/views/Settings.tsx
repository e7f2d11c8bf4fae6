import { useCallback, useEffect, useRef, useState, type FormEvent } from 'react';
import {
  errorText,
  issueText,
  warningTexts,
  SECRET_MASK,
  type BridgeClient,
  type FieldIssue,
  type SettingsView,
} from '../client/types';
import { CheckField, ErrorNote, SelectField, TextField } from '../components/ui';
import { LanguagePicker } from '../components/LanguagePicker';
import { Text, useT, type Translate } from '../i18n';
import { CoreSays } from '../i18n/core-text';
import { listenerOptions, numberValue } from './ListenerOptions';
import { RegisterKeyButton } from '../components/RegisterKeyButton';

type Json = unknown;
type Path = ReadonlyArray<string | number>;

function getAt(root: Json, path: Path): Json {
  let cur: Json = root;
  for (const p of path) {
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = (cur as Record<string | number, Json>)[p];
  }
  return cur;
}

/** A copy of `root` with `value` at `path` (objects created on the way; undefined removes the key). */
function setAt(root: Json, path: Path, value: Json): Json {
  if (path.length === 0) return value;
  const [head, ...rest] = path as [string | number, ...Array<string | number>];
  const base: Record<string | number, Json> | Json[] = Array.isArray(root)
    ? [...root]
    : root && typeof root === 'object'
      ? { ...(root as object) }
      : typeof head === 'number'
        ? []
        : {};
  const next = setAt((base as Record<string | number, Json>)[head], rest, value);
  if (next === undefined && !Array.isArray(base)) delete (base as Record<string | number, Json>)[head];
  else (base as Record<string | number, Json>)[head] = next;
  return base;
}

function fieldKey(path: Path): string {
  let out = '';
  for (const p of path) out += typeof p === 'number' ? `[${p}]` : out ? `.${p}` : p;
  return out;
}

const LOOPBACK = '127.0.0.1';
const LAN = '0.0.0.0';

/** "1234" → 1234; anything else stays text so that the schema names the problem next to the field. */
/** A USB id as the cable's label or `devices` shows it ("10C4", "0x10c4") → number; anything else stays text, refused next to the field. */
function usbIdValue(text: string): Json {
  const t = text.trim();
  if (t === '') return undefined;
  return /^(0x)?[0-9a-f]{1,4}$/i.test(t) ? parseInt(t.replace(/^0x/i, ''), 16) : t;
}

function usbIdText(value: Json): string {
  return typeof value === 'number' ? value.toString(16).toUpperCase().padStart(4, '0') : String(value ?? '');
}

function portValue(text: string): Json {
  return /^[0-9]{1,9}$/.test(text.trim()) ? Number(text.trim()) : text;
}

/** The port Caisse-AP registers and terminals use by default (docs/caisse-ap.md). */
const CAISSE_AP_PORT = 8888;
/** The port ECR17 registers are usually set to for their terminal (docs/ecr17.md). */
const ECR17_PORT = 10000;

/** A TCP port no listener uses yet: one above the highest (7450 when there is none). */
function nextPort(listeners: readonly Json[]): number {
  const ports = listeners
    .map((l) => getAt(l, ['transport', 'port']))
    .filter((p): p is number => typeof p === 'number' && p > 0 && p < 65535);
  return ports.length ? Math.max(...ports) + 1 : 7450;
}

function describeSecret(v: Json, t: Translate): string {
  if (v === SECRET_MASK) return t('settings.secretInFile');
  if (v && typeof v === 'object' && 'env' in v)
    return t('settings.secretFromEnv', { name: String((v as { env: string }).env) });
  if (v && typeof v === 'object' && 'keychain' in v) return t('settings.secretInKeychain');
  return t('settings.secretNotSet');
}

export function Settings({ client }: { client: BridgeClient }) {
  const t = useT();
  const [view, setView] = useState<SettingsView | undefined>();
  const [config, setConfig] = useState<Json>(undefined);
  const [startAtLogin, setStartAtLogin] = useState<boolean | undefined>();
  const [issues, setIssues] = useState<FieldIssue[]>([]);
  // Bumped when listeners are added or removed: their blocks are keyed by position, and fields keeping text of their
  // own must not carry one listener's text over to the next after a removal.
  const [listenerLayout, setListenerLayout] = useState(0);
  const [error, setError] = useState('');
  const [note, setNote] = useState('');
  const [saving, setSaving] = useState(false);
  const validateTimer = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);
  const summaryRef = useRef<HTMLDivElement>(null);
  // Bumped when a save is refused: after that render, the first field in error takes the focus.
  const [refused, setRefused] = useState(0);
  useEffect(() => {
    if (refused === 0) return;
    // Its message is read out with it; without a marked field, the summary is.
    (document.querySelector<HTMLElement>('main [aria-invalid="true"]') ?? summaryRef.current)?.focus();
  }, [refused]);

  useEffect(() => {
    client.settingsGet().then(
      (v) => {
        setView(v);
        setConfig(v.config);
        setIssues(v.issues);
        setStartAtLogin(v.startAtLogin);
      },
      (e: unknown) => setError(errorText(e)),
    );
  }, [client]);

  const validate = useCallback(
    (candidate: Json) => {
      if (validateTimer.current) clearTimeout(validateTimer.current);
      validateTimer.current = setTimeout(() => {
        client.settingsValidate(candidate).then(setIssues, (e: unknown) => setError(errorText(e)));
      }, 350);
    },
    [client],
  );

  useEffect(() => () => validateTimer.current && clearTimeout(validateTimer.current), []);

  const update = (path: Path, value: Json): void => {
    const next = setAt(config, path, value);
    setConfig(next);
    setNote('');
    validate(next);
  };

  const listenersNow = (): Json[] => (getAt(config, ['listeners']) as Json[] | undefined) ?? [];

  const addListener = (): void => {
    const all = listenersNow();
    const ids = new Set(all.map((l) => String(getAt(l, ['id']) ?? '')));
    let n = all.length + 1;
    while (ids.has(`listener-${n}`)) n++;
    update(
      ['listeners'],
      [
        ...all,
        { id: `listener-${n}`, protocol: 'native', transport: { type: 'tcp', host: LOOPBACK, port: nextPort(all) } },
      ],
    );
    setListenerLayout((v) => v + 1);
    // The new listener's name field takes the focus.
    requestAnimationFrame(() =>
      document.querySelector<HTMLInputElement>(`main input[name="listeners[${all.length}].id"]`)?.focus(),
    );
  };

  const removeListener = (i: number): void => {
    update(
      ['listeners'],
      listenersNow().filter((_, k) => k !== i),
    );
    setListenerLayout((v) => v + 1);
  };

  /** Another protocol has other options: only allowRemote (a listener field's companion) is kept. */
  const changeProtocol = (i: number, protocol: string): void => {
    const current = getAt(config, ['listeners', i]);
    const allowRemote = getAt(current, ['options', 'allowRemote']);
    let next = setAt(current, ['protocol'], protocol);
    next = setAt(next, ['options'], allowRemote === undefined ? undefined : { allowRemote });
    // Concert runs on a serial line only.
    if (protocol === 'concert' && getAt(current, ['transport', 'type']) === 'tcp')
      next = setAt(next, ['transport'], { type: 'serial', path: '' });
    // Caisse-AP and ECR17 registers expect their terminal on their protocol's port unless told otherwise.
    const others = listenersNow().filter((_, k) => k !== i);
    const port = protocol === 'caisse-ap' ? CAISSE_AP_PORT : protocol === 'ecr17' ? ECR17_PORT : undefined;
    if (
      port !== undefined &&
      getAt(current, ['transport', 'type']) === 'tcp' &&
      !others.some((l) => getAt(l, ['transport', 'port']) === port)
    ) {
      next = setAt(next, ['transport', 'port'], port);
    }
    update(['listeners', i], next);
  };

  const issueOf = (path: Path): string | undefined => {
    const key = fieldKey(path);
    // A list field (key words, field orders) also shows the problems of its items (`…keywords[1]`).
    const found = issues.filter((i) => i.field === key || i.field.startsWith(`${key}[`));
    return found.length ? found.map(issueText).join('; ') : undefined;
  };

  const save = async (e: FormEvent): Promise<void> => {
    e.preventDefault();
    if (validateTimer.current) clearTimeout(validateTimer.current);
    setSaving(true);
    setNote('');
    setError('');
    try {
      const answer = await client.settingsSave({ config, ...(startAtLogin !== undefined ? { startAtLogin } : {}) });
      setIssues(answer.issues);
      if (answer.saved) {
        setNote(
          [t('settings.saved'), answer.restartNeeded ? t('settings.restartNeeded') : '', ...warningTexts(answer)]
            .filter(Boolean)
            .join(' '),
        );
        const fresh = await client.settingsGet();
        setView(fresh);
        setConfig(fresh.config);
      } else {
        setNote(t('settings.notSaved'));
        setRefused((n) => n + 1);
      }
    } catch (err) {
      setError(errorText(err));
    } finally {
      setSaving(false);
    }
  };

  if (!view) {
    return (
      <section aria-labelledby="settings-title">
        <h1 id="settings-title" tabIndex={-1}>
          {t('app.view.settings')}
        </h1>
        <LanguagePicker />
        <ErrorNote>{error}</ErrorNote>
        {!error ? <p>{t('app.loading')}</p> : null}
      </section>
    );
  }

  const listeners = (getAt(config, ['listeners']) as Json[] | undefined) ?? [];
  const terminals = (getAt(config, ['terminals']) as Array<Record<string, Json>> | undefined) ?? [];
  const shownFields = new Set<string>();
  const mark = (path: Path): Path => {
    shownFields.add(fieldKey(path));
    return path;
  };

  const secretField = (label: string, path: Path, hint?: string) => {
    const current = getAt(config, path);
    const typed = typeof current === 'string' && current !== SECRET_MASK ? current : '';
    return (
      <TextField
        label={label}
        type="password"
        name={fieldKey(path)}
        value={typed}
        autoComplete="new-password"
        hint={[hint, t('settings.secretNow', { state: describeSecret(current, t) })].filter(Boolean).join(' ')}
        onChange={(v) => update(path, v === '' ? ((view.config && getAt(view.config, path)) ?? undefined) : v)}
        error={issueOf(mark(path))}
      />
    );
  };

  const body = (
    <>
      <fieldset className="card">
        <legend>{t('dashboard.listeners')}</legend>
        {listeners.length === 0 ? <p className="empty">{t('settings.noListener')}</p> : null}
        {/* listenerOptions is called while rendering on purpose (its fields are marked before the form lists the
            problems no field shows); `update` reaches the validation timer only from change handlers. */}
        {/* eslint-disable-next-line react-hooks/refs */}
        {listeners.map((l, i) => {
          const transport = getAt(l, ['transport']) as Record<string, Json> | undefined;
          const isTcp = transport?.type === 'tcp';
          const host = String(transport?.host ?? LOOPBACK);
          const lan = isTcp && host !== LOOPBACK && host !== 'localhost' && host !== '::1';
          const protocol = String(getAt(l, ['protocol']) ?? 'native');
          const name = String(getAt(l, ['id']) ?? `${protocol}-${i + 1}`);
          return (
            <div key={`${listenerLayout}:${i}`} className="listener-block" data-listener={name}>
              <div className="listener-head">
                <h3>{t('settings.listener', { name })}</h3>
                <button
                  type="button"
                  data-remove={name}
                  onClick={() => removeListener(i)}
                  disabled={listeners.length <= 1}
                  title={listeners.length <= 1 ? t('settings.needOneListener') : undefined}
                >
                  {t('settings.removeListener', { name })}
                </button>
              </div>
              <div className="form-grid">
                <TextField
                  label={t('settings.name')}
                  name={`listeners[${i}].id`}
                  value={String(getAt(l, ['id']) ?? '')}
                  placeholder={`${protocol}-${i + 1}`}
                  hint={t('settings.nameHint')}
                  onChange={(v) => update(['listeners', i, 'id'], v === '' ? undefined : v)}
                  error={issueOf(mark(['listeners', i, 'id']))}
                />
                <SelectField
                  label={t('dashboard.protocol')}
                  name={`listeners[${i}].protocol`}
                  value={protocol}
                  options={[
                    { value: 'native', label: t('settings.protocol.native') },
                    { value: 'zvt', label: t('settings.protocol.zvt') },
                    { value: 'ecr17', label: t('settings.protocol.ecr17') },
                    { value: 'text', label: t('settings.protocol.text') },
                    { value: 'concert', label: t('settings.protocol.concert') },
                    { value: 'pole-display', label: t('settings.protocol.poleDisplay') },
                    { value: 'printer', label: t('settings.protocol.printer') },
                    { value: 'caisse-ap', label: t('settings.protocol.caisseAp') },
                  ]}
                  onChange={(v) => changeProtocol(i, v)}
                  error={issueOf(mark(['listeners', i, 'protocol']))}
                />
                {transport?.type === 'tcp' || transport?.type === 'serial' || transport?.type === 'hid' ? (
                  <SelectField
                    label={t('settings.connection')}
                    name={`listeners[${i}].transport.type`}
                    value={String(transport.type)}
                    options={[
                      ...(protocol === 'concert' ? [] : [{ value: 'tcp', label: t('common.networkTcp') }]),
                      { value: 'serial', label: t('common.serialPort') },
                      { value: 'hid', label: t('settings.hidCable') },
                    ].filter((o) => protocol !== 'caisse-ap' || o.value === 'tcp')}
                    onChange={(v) =>
                      update(
                        ['listeners', i, 'transport'],
                        v === 'tcp'
                          ? { type: 'tcp', host: LOOPBACK, port: protocol === 'printer' ? 9100 : nextPort(listeners) }
                          : v === 'hid'
                            ? { type: 'hid' }
                            : { type: 'serial', path: '' },
                      )
                    }
                    error={issueOf(mark(['listeners', i, 'transport', 'type']))}
                  />
                ) : null}
                {isTcp ? (
                  <>
                    <TextField
                      label={t('setup.ipp.port')}
                      name={`listeners[${i}].transport.port`}
                      inputMode="numeric"
                      value={String(transport?.port ?? '')}
                      onChange={(v) => update(['listeners', i, 'transport', 'port'], portValue(v))}
                      error={issueOf(mark(['listeners', i, 'transport', 'port']))}
                    />
                    <SelectField
                      label={t('settings.reachableFrom')}
                      name={`listeners[${i}].transport.host`}
                      value={lan ? LAN : LOOPBACK}
                      options={[
                        { value: LOOPBACK, label: t('common.thisComputer') },
                        { value: LAN, label: t('common.localNetwork') },
                      ]}
                      onChange={(v) => update(['listeners', i, 'transport', 'host'], v)}
                      error={issueOf(mark(['listeners', i, 'transport', 'host']))}
                    />
                  </>
                ) : transport?.type === 'serial' ? (
                  <>
                    <TextField
                      label={t('settings.serialPort')}
                      name={`listeners[${i}].transport.path`}
                      value={String(transport.path ?? '')}
                      placeholder={t('settings.serialPortExample')}
                      onChange={(v) => update(['listeners', i, 'transport', 'path'], v)}
                      error={issueOf(mark(['listeners', i, 'transport', 'path']))}
                    />
                    <TextField
                      label={t('settings.baudRate')}
                      name={`listeners[${i}].transport.baudRate`}
                      inputMode="numeric"
                      value={String(transport.baudRate ?? '')}
                      placeholder="9600"
                      onChange={(v) => update(['listeners', i, 'transport', 'baudRate'], numberValue(v))}
                      error={issueOf(mark(['listeners', i, 'transport', 'baudRate']))}
                    />
                  </>
                ) : transport?.type === 'hid' ? (
                  <>
                    <TextField
                      label={t('settings.vendorId')}
                      name={`listeners[${i}].transport.vendorId`}
                      value={usbIdText(transport.vendorId)}
                      placeholder="10C4"
                      hint={t('settings.vendorIdHint')}
                      onChange={(v) => update(['listeners', i, 'transport', 'vendorId'], usbIdValue(v))}
                      error={issueOf(mark(['listeners', i, 'transport', 'vendorId']))}
                    />
                    <TextField
                      label={t('settings.productId')}
                      name={`listeners[${i}].transport.productId`}
                      value={usbIdText(transport.productId)}
                      placeholder="EA80"
                      onChange={(v) => update(['listeners', i, 'transport', 'productId'], usbIdValue(v))}
                      error={issueOf(mark(['listeners', i, 'transport', 'productId']))}
                    />
                    <TextField
                      label={t('settings.cableSerial')}
                      name={`listeners[${i}].transport.serialNumber`}
                      value={String(transport.serialNumber ?? '')}
                      hint={t('settings.cableSerialHint')}
                      onChange={(v) =>
                        update(['listeners', i, 'transport', 'serialNumber'], v.trim() === '' ? undefined : v.trim())
                      }
                      error={issueOf(mark(['listeners', i, 'transport', 'serialNumber']))}
                    />
                    <SelectField
                      label={t('settings.framing')}
                      name={`listeners[${i}].transport.framing`}
                      value={String(transport.framing ?? '')}
                      options={[
                        { value: '', label: t('settings.framingAuto') },
                        { value: 'cp2110', label: t('settings.framingCp2110') },
                        { value: 'length-prefixed', label: t('settings.framingLength') },
                      ]}
                      onChange={(v) => update(['listeners', i, 'transport', 'framing'], v === '' ? undefined : v)}
                      error={issueOf(mark(['listeners', i, 'transport', 'framing']))}
                    />
                  </>
                ) : (
                  <p>
                    <Text
                      k="settings.device"
                      values={{ device: String(transport?.path ?? transport?.type ?? '') }}
                      tags={{ code: <span className="mono" /> }}
                    />
                  </p>
                )}
                {lan && protocol !== 'native' ? (
                  <TextField
                    label={t('settings.peers')}
                    name={`listeners[${i}].peers`}
                    value={Array.isArray(getAt(l, ['peers'])) ? (getAt(l, ['peers']) as Json[]).join(', ') : ''}
                    placeholder="192.168.1.20, 192.168.1.0/24"
                    hint={t('settings.peersHint')}
                    onChange={(v) => {
                      // Comma-separated; a trailing comma stays (an empty last entry) so that the next address can be typed.
                      const list = v.split(',').map((x) => x.trim());
                      update(['listeners', i, 'peers'], list.some((x) => x !== '') ? list : undefined);
                    }}
                    error={issueOf(mark(['listeners', i, 'peers']))}
                  />
                ) : null}
                {lan || getAt(l, ['token']) !== undefined
                  ? secretField(t('settings.registerToken'), ['listeners', i, 'token'], t('settings.registerTokenHint'))
                  : null}
                {protocol === 'native' ? (
                  <RegisterKeyButton
                    client={client}
                    listener={name}
                    onKey={(v) => update(['listeners', i, 'token'], v)}
                  />
                ) : null}
                {protocol === 'zvt' ? secretField(t('settings.zvtPassword'), ['listeners', i, 'password']) : null}
              </div>
              {listenerOptions({
                t,
                index: i,
                protocol,
                get: (path) => getAt(config, path),
                update: (path, value) => update(path, value),
                issueOf: (path) => issueOf(mark(path)),
              })}
            </div>
          );
        })}
        <div className="actions">
          <button type="button" data-action="add-listener" onClick={addListener}>
            {t('settings.addListener')}
          </button>
        </div>
      </fieldset>

      <fieldset className="card">
        <legend>{t('settings.statusPage')}</legend>
        <div className="form-grid">
          <TextField
            label={t('settings.statusPort')}
            name="status.port"
            inputMode="numeric"
            value={String(getAt(config, ['status', 'port']) ?? 7460)}
            onChange={(v) => update(['status', 'port'], portValue(v))}
            error={issueOf(mark(['status', 'port']))}
          />
          <SelectField
            label={t('settings.statusReach')}
            name="status.host"
            value={String(getAt(config, ['status', 'host']) ?? LOOPBACK) === LOOPBACK ? LOOPBACK : LAN}
            options={[
              { value: LOOPBACK, label: t('common.thisComputer') },
              { value: LAN, label: t('common.localNetwork') },
            ]}
            onChange={(v) => update(['status', 'host'], v)}
            error={issueOf(mark(['status', 'host']))}
          />
          {secretField(t('settings.statusToken'), ['status', 'token'], t('settings.statusTokenHint'))}
        </div>
      </fieldset>

      <fieldset className="card">
        <legend>{t('settings.general')}</legend>
        <div className="form-grid">
          <TextField
            label={t('settings.dataDir')}
            name="dataDir"
            value={String(getAt(config, ['dataDir']) ?? '')}
            placeholder={t('settings.dataDirPlaceholder')}
            hint={t('settings.dataDirHint')}
            onChange={(v) => update(['dataDir'], v === '' ? undefined : v)}
            error={issueOf(mark(['dataDir']))}
          />
          <SelectField
            label={t('settings.logLevel')}
            name="log.level"
            value={String(getAt(config, ['log', 'level']) ?? 'info')}
            options={(['error', 'warn', 'info', 'debug', 'trace', 'silent'] as const).map((v) => ({
              value: v,
              label: t(`logLevel.${v}`),
            }))}
            onChange={(v) => update(['log', 'level'], v)}
            error={issueOf(mark(['log', 'level']))}
          />
          {startAtLogin !== undefined ? (
            <CheckField
              label={t('settings.startAtLogin')}
              checked={startAtLogin}
              onChange={(v) => setStartAtLogin(v)}
            />
          ) : null}
        </div>
      </fieldset>

      <section className="card" aria-labelledby="terminals-set">
        <h2 id="terminals-set">{t('dashboard.terminals')}</h2>
        <p className="hint">{t('settings.terminalsHint')}</p>
        <ul>
          {terminals.map((t, i) => (
            <li key={i}>
              <strong>{String(t.id ?? `#${i + 1}`)}</strong> — {String(t.driver ?? '')}
              {issues
                .filter((x) => x.field.startsWith(`terminals[${i}]`))
                .map((x) => (
                  <span
                    key={x.field + x.message}
                    className="field-error"
                    data-source={x.messageCode ? undefined : 'bridge'}
                  >
                    {' '}
                    <span className="mono">{x.field}</span>: {issueText(x)}
                  </span>
                ))}
            </li>
          ))}
        </ul>
      </section>
    </>
  );

  const other = issues.filter((i) => !shownFields.has(i.field) && !i.field.startsWith('terminals['));

  return (
    <section aria-labelledby="settings-title">
      <div className="view-head">
        <h1 id="settings-title" tabIndex={-1}>
          {t('app.view.settings')}
        </h1>
      </div>
      <LanguagePicker />
      <p className="hint">
        {view.file ? (
          <Text k="settings.configFile" values={{ file: view.file }} tags={{ code: <span className="mono" /> }} />
        ) : (
          t('settings.noConfigFile')
        )}
      </p>
      {view.warnings.length ? (
        <ul className="banner banner-warn">
          {view.warnings.map((w, i) => (
            <CoreSays key={w} as="li" text={w} code={view.warningCodes?.[i]} />
          ))}
        </ul>
      ) : null}
      <ErrorNote>{error}</ErrorNote>
      <form onSubmit={(e) => void save(e)} noValidate>
        {body}
        <div className="summary" ref={summaryRef} tabIndex={-1} aria-live="polite">
          {note ? <p role="status">{note}</p> : null}
          {other.length ? (
            <ul className="error-list">
              {other.map((i) => (
                <li key={i.field + i.message} data-source={i.messageCode ? undefined : 'bridge'}>
                  {i.field ? <span className="mono">{i.field}</span> : t('settings.config')}: {issueText(i)}
                </li>
              ))}
            </ul>
          ) : null}
        </div>
        <div className="actions">
          <button type="submit" className="primary" disabled={saving || !view.writable}>
            {saving ? t('settings.saving') : t('settings.save')}
          </button>
        </div>
      </form>
    </section>
  );
}
