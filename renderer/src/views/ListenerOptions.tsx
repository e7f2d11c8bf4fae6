/**
 * The protocol options of one register listener (its `options` in the config file), as the settings form shows
 * them: the text protocol's line format, the capture modes' total pattern, trigger, forwarding, slips and
 * duplicate window, Concert's line settings and Caisse-AP's and Concert's open points. Field names and values are
 * exactly those of the options schemas (src/register/text/options.ts, src/register/capture/options.ts,
 * src/register/caisse-ap/options.ts, src/register/concert/options.ts); an empty field leaves the option out, so its default applies.
 */
import { useState, type ReactNode } from 'react';
import { CheckField, SelectField, TextField } from '../components/ui';
import type { Translate } from '../i18n';

type Json = unknown;
type Path = ReadonlyArray<string | number>;

export interface OptionsFormProps {
  readonly t: Translate;
  /** The listener's index in `listeners`. */
  readonly index: number;
  readonly protocol: string;
  get(path: Path): Json;
  update(path: Path, value: Json): void;
  issueOf(path: Path): string | undefined;
}

/** "1500" → 1500; "" → removed; anything else stays text so that the schema names the problem next to the field. */
export function numberValue(text: string): Json {
  const t = text.trim();
  if (t === '') return undefined;
  return /^-?[0-9]{1,12}$/.test(t) ? Number(t) : text;
}

const textValue = (v: string): Json => (v === '' ? undefined : v);

/** "KARTE, EC" → ["KARTE", "EC"]; "" → removed (the default applies). */
export function listValue(text: string): Json {
  const items = text
    .split(',')
    .map((x) => x.trim())
    .filter((x) => x !== '');
  return items.length ? items : undefined;
}

/** A list typed as text, items separated by commas; kept as typed while editing so that a comma can be typed. */
function ListField(p: {
  label: string;
  value: Json;
  error: string | undefined;
  name: string;
  placeholder: string;
  hint: string;
  onChange(v: Json): void;
}) {
  const [text, setText] = useState(Array.isArray(p.value) ? p.value.join(', ') : '');
  return (
    <TextField
      label={p.label}
      name={p.name}
      value={text}
      placeholder={p.placeholder}
      hint={p.hint}
      error={p.error}
      onChange={(v) => {
        setText(v);
        p.onChange(listValue(v));
      }}
    />
  );
}

/** Answer words of the text protocol, in the order of the format's description (the default word is the protocol's). */
const ANSWER_WORDS = [
  ['ok', 'OK'],
  ['error', 'ERR'],
  ['progress', 'PROGRESS'],
  ['approved', 'APPROVED'],
  ['declined', 'DECLINED'],
  ['cancelled', 'CANCELLED'],
  ['failed', 'FAILED'],
  ['in_doubt', 'IN_DOUBT'],
  ['pending', 'PENDING'],
  ['cancel', 'CANCEL'],
] as const;

/** A transport for the real device behind the bridge or the slip printer: none, TCP, or a serial port. */
function deviceTransport({ label, base, p, hint }: { label: string; base: Path; p: OptionsFormProps; hint: string }) {
  const { t } = p;
  const tr = p.get(base) as Record<string, Json> | undefined;
  const type = tr && typeof tr === 'object' ? String(tr.type ?? '') : '';
  const key = (k: string): Path => [...base, k];
  return (
    <div className="options-block">
      <SelectField
        label={label}
        name={base.join('.')}
        value={type}
        hint={hint}
        options={[
          { value: '', label: t('common.none') },
          { value: 'tcp', label: t('common.networkTcp') },
          { value: 'serial', label: t('common.serialPort') },
        ]}
        error={p.issueOf(base)}
        onChange={(v) =>
          p.update(
            base,
            v === ''
              ? undefined
              : v === 'tcp'
                ? { type: 'tcp', host: '127.0.0.1', port: 9100 }
                : { type: 'serial', path: '' },
          )
        }
      />
      {type === 'tcp' ? (
        <div className="form-grid">
          <TextField
            label={t('options.deviceHost', { device: label })}
            name={key('host').join('.')}
            value={String(tr?.host ?? '')}
            error={p.issueOf(key('host'))}
            onChange={(v) => p.update(key('host'), v)}
          />
          <TextField
            label={t('options.devicePort', { device: label })}
            name={key('port').join('.')}
            inputMode="numeric"
            value={String(tr?.port ?? '')}
            error={p.issueOf(key('port'))}
            onChange={(v) => p.update(key('port'), numberValue(v))}
          />
        </div>
      ) : null}
      {type === 'serial' ? (
        <div className="form-grid">
          <TextField
            label={t('options.devicePortName', { device: label })}
            name={key('path').join('.')}
            value={String(tr?.path ?? '')}
            placeholder={t('options.portNameExample')}
            error={p.issueOf(key('path'))}
            onChange={(v) => p.update(key('path'), v)}
          />
          <TextField
            label={t('options.deviceBaud', { device: label })}
            name={key('baudRate').join('.')}
            inputMode="numeric"
            value={String(tr?.baudRate ?? '')}
            placeholder="9600"
            error={p.issueOf(key('baudRate'))}
            onChange={(v) => p.update(key('baudRate'), numberValue(v))}
          />
        </div>
      ) : null}
    </div>
  );
}

function textOptions(p: OptionsFormProps) {
  const { t } = p;
  const o = (k: string): Path => ['listeners', p.index, 'options', k];
  const val = (k: string): string => String(p.get(o(k)) ?? '');
  const c = (k: string): Path => ['listeners', p.index, 'options', 'commands', k];
  const w = (k: string): Path => ['listeners', p.index, 'options', 'words', k];
  return (
    <div className="options-block">
      <h4>{t('options.textFormat')}</h4>
      <div className="form-grid">
        <TextField
          label={t('options.separator')}
          name={`text.${p.index}.separator`}
          value={val('separator')}
          placeholder=";"
          error={p.issueOf(o('separator'))}
          onChange={(v) => p.update(o('separator'), textValue(v))}
        />
        <SelectField
          label={t('options.decimal')}
          name={`text.${p.index}.decimal`}
          value={val('decimal') || '.'}
          options={[
            { value: '.', label: t('common.pointExample') },
            { value: ',', label: t('common.commaExample') },
          ]}
          error={p.issueOf(o('decimal'))}
          onChange={(v) => p.update(o('decimal'), v)}
        />
        <SelectField
          label={t('options.thousands')}
          name={`text.${p.index}.thousands`}
          value={val('thousands')}
          options={[
            { value: '', label: t('common.none') },
            { value: '.', label: t('options.point') },
            { value: ',', label: t('options.comma') },
            { value: "'", label: t('options.apostrophe') },
            { value: ' ', label: t('options.space') },
          ]}
          error={p.issueOf(o('thousands'))}
          onChange={(v) => p.update(o('thousands'), v === '' ? undefined : v)}
        />
        <SelectField
          label={t('options.amountFormat')}
          name={`text.${p.index}.amountFormat`}
          value={val('amountFormat') || 'decimal'}
          options={[
            { value: 'decimal', label: t('options.amountDecimal') },
            { value: 'minor', label: t('options.amountMinor') },
          ]}
          error={p.issueOf(o('amountFormat'))}
          onChange={(v) => p.update(o('amountFormat'), v)}
        />
        <TextField
          label={t('options.currency')}
          name={`text.${p.index}.currency`}
          value={val('currency')}
          placeholder="EUR"
          error={p.issueOf(o('currency'))}
          onChange={(v) => p.update(o('currency'), textValue(v))}
        />
        <SelectField
          label={t('options.lineEnding')}
          name={`text.${p.index}.lineEnding`}
          value={val('lineEnding') || 'CRLF'}
          options={(['CRLF', 'LF', 'CR'] as const).map((v) => ({ value: v, label: t(`options.ending.${v}`) }))}
          error={p.issueOf(o('lineEnding'))}
          onChange={(v) => p.update(o('lineEnding'), v)}
        />
        <TextField
          label={t('options.maxLine')}
          name={`text.${p.index}.maxLineBytes`}
          inputMode="numeric"
          value={val('maxLineBytes')}
          placeholder="1024"
          error={p.issueOf(o('maxLineBytes'))}
          onChange={(v) => p.update(o('maxLineBytes'), numberValue(v))}
        />
        {(['sale', 'refund', 'status', 'cancel'] as const).map((k) => (
          <TextField
            key={k}
            label={t(`options.command.${k}`)}
            name={`text.${p.index}.commands.${k}`}
            value={String(p.get(c(k)) ?? '')}
            placeholder={k.toUpperCase()}
            error={p.issueOf(c(k))}
            onChange={(v) => p.update(c(k), textValue(v))}
          />
        ))}
        <CheckField
          label={t('options.progress')}
          checked={p.get(o('progress')) === true}
          onChange={(v) => p.update(o('progress'), v || undefined)}
        />
        <CheckField
          label={t('options.message')}
          checked={p.get(o('message')) === true}
          onChange={(v) => p.update(o('message'), v || undefined)}
        />
        <ListField
          label={t('options.fields')}
          name={`text.${p.index}.fields`}
          value={p.get(o('fields'))}
          placeholder="command, ref, amount, currency"
          hint={t('options.fieldsHint')}
          error={p.issueOf(o('fields'))}
          onChange={(v) => p.update(o('fields'), v)}
        />
        <ListField
          label={t('options.answerFields')}
          name={`text.${p.index}.answerFields`}
          value={p.get(o('answerFields'))}
          placeholder="status, ref, result, detail"
          hint={t('options.fieldsHint')}
          error={p.issueOf(o('answerFields'))}
          onChange={(v) => p.update(o('answerFields'), v)}
        />
      </div>
      <h4>{t('options.answerWords')}</h4>
      <div className="form-grid">
        {ANSWER_WORDS.map(([k, fallback]) => (
          <TextField
            key={k}
            label={t(`options.word.${k}`)}
            name={`text.${p.index}.words.${k}`}
            value={String(p.get(w(k)) ?? '')}
            placeholder={fallback}
            error={p.issueOf(w(k))}
            onChange={(v) => p.update(w(k), textValue(v))}
          />
        ))}
      </div>
    </div>
  );
}

/** ECR17 (docs/ecr17.md "Options"): the register's terminal ID, the LRC mode, the commit and connection choices. */
function ecr17Options(p: OptionsFormProps) {
  const { t } = p;
  const o = (k: string): Path => ['listeners', p.index, 'options', k];
  const val = (k: string): string => String(p.get(o(k)) ?? '');
  const check = (label: string, k: string, fallback: boolean, hint: string) => {
    const v = p.get(o(k));
    return (
      <CheckField
        label={label}
        checked={typeof v === 'boolean' ? v : fallback}
        hint={hint}
        onChange={(x) => p.update(o(k), x === fallback ? undefined : x)}
      />
    );
  };
  return (
    <div className="options-block">
      <h4>{t('options.ecr17.title')}</h4>
      <div className="form-grid">
        <TextField
          label={t('options.ecr17.terminalId')}
          name={`ecr17.${p.index}.terminalId`}
          value={val('terminalId')}
          placeholder={t('options.ecr17.terminalIdPlaceholder')}
          hint={t('options.ecr17.terminalIdHint')}
          error={p.issueOf(o('terminalId'))}
          onChange={(v) => p.update(o('terminalId'), textValue(v.trim()))}
        />
        <SelectField
          label={t('options.ecr17.lrcMode')}
          name={`ecr17.${p.index}.lrcMode`}
          value={val('lrcMode') || 'auto'}
          options={[
            { value: 'auto', label: t('options.ecr17.lrcAuto') },
            { value: 'std', label: t('options.ecr17.lrcStd') },
            { value: 'stx', label: t('options.ecr17.lrcStx') },
            { value: 'noext', label: t('options.ecr17.lrcNoext') },
            { value: 'stx_noext', label: t('options.ecr17.lrcStxNoext') },
          ]}
          error={p.issueOf(o('lrcMode'))}
          onChange={(v) => p.update(o('lrcMode'), v === 'auto' ? undefined : v)}
        />
        <SelectField
          label={t('options.ecr17.receiptOrder')}
          name={`ecr17.${p.index}.receiptOrder`}
          value={val('receiptOrder') || 'before-result'}
          options={[
            { value: 'before-result', label: t('options.ecr17.before') },
            { value: 'after-result', label: t('options.ecr17.after') },
          ]}
          error={p.issueOf(o('receiptOrder'))}
          onChange={(v) => p.update(o('receiptOrder'), v === 'before-result' ? undefined : v)}
        />
        <TextField
          label={t('options.ecr17.acquirerId')}
          name={`ecr17.${p.index}.acquirerId`}
          value={val('acquirerId')}
          error={p.issueOf(o('acquirerId'))}
          onChange={(v) => p.update(o('acquirerId'), textValue(v))}
        />
        <TextField
          label={t('options.ecr17.ackTimeout')}
          name={`ecr17.${p.index}.ackTimeoutMs`}
          inputMode="numeric"
          value={val('ackTimeoutMs')}
          placeholder="2000"
          error={p.issueOf(o('ackTimeoutMs'))}
          onChange={(v) => p.update(o('ackTimeoutMs'), numberValue(v))}
        />
        {check(t('options.ecr17.reverse'), 'reverseUnacknowledged', false, t('options.ecr17.reverseHint'))}
        {check(t('options.ecr17.close'), 'closeAfterPayment', true, t('options.ecr17.closeHint'))}
      </div>
    </div>
  );
}

function captureOptions(p: OptionsFormProps) {
  const { t } = p;
  const pole = p.protocol === 'pole-display';
  const o = (...k: string[]): Path => ['listeners', p.index, 'options', ...k];
  const val = (...k: string[]): string => String(p.get(o(...k)) ?? '');
  const text = (label: string, k: string[], extra: { placeholder?: string; hint?: string } = {}) => (
    <TextField
      label={label}
      name={`capture.${p.index}.${k.join('.')}`}
      value={val(...k)}
      {...extra}
      error={p.issueOf(o(...k))}
      onChange={(v) => p.update(o(...k), textValue(v))}
    />
  );
  const num = (label: string, k: string[], placeholder: string, hint?: string) => (
    <TextField
      label={label}
      name={`capture.${p.index}.${k.join('.')}`}
      inputMode="numeric"
      value={val(...k)}
      placeholder={placeholder}
      {...(hint ? { hint } : {})}
      error={p.issueOf(o(...k))}
      onChange={(v) => p.update(o(...k), numberValue(v))}
    />
  );
  const check = (label: string, k: string[], fallback: boolean, hint?: string) => {
    const v = p.get(o(...k));
    return (
      <CheckField
        label={label}
        checked={typeof v === 'boolean' ? v : fallback}
        {...(hint ? { hint } : {})}
        onChange={(x) => p.update(o(...k), x === fallback ? undefined : x)}
      />
    );
  };
  const trigger = val('trigger') || 'stable';
  const slip = p.get(o('slip')) === true;
  return (
    <div className="options-block">
      <h4>{pole ? t('settings.protocol.poleDisplay') : t('settings.protocol.printer')}</h4>
      <div className="form-grid">
        {text(t('options.pattern'), ['pattern'], {
          placeholder: t('options.patternPlaceholder'),
          hint: t('options.patternHint'),
        })}
        {text(t('options.patternFlags'), ['patternFlags'], { placeholder: 'iu', hint: t('options.patternFlagsHint') })}
        <SelectField
          label={t('options.decimal')}
          name={`capture.${p.index}.decimal`}
          value={val('decimal') || 'auto'}
          options={[
            { value: 'auto', label: t('options.decimalAuto') },
            { value: ',', label: t('common.commaExample') },
            { value: '.', label: t('common.pointExample') },
          ]}
          error={p.issueOf(o('decimal'))}
          onChange={(v) => p.update(o('decimal'), v === 'auto' ? undefined : v)}
        />
        <SelectField
          label={t('options.pick')}
          name={`capture.${p.index}.pick`}
          value={val('pick') || 'first'}
          options={[
            { value: 'first', label: t('options.pickFirst') },
            { value: 'last', label: t('options.pickLast') },
          ]}
          error={p.issueOf(o('pick'))}
          onChange={(v) => p.update(o('pick'), v === 'first' ? undefined : v)}
        />
        {text(t('options.captureCurrency'), ['currency'], { placeholder: 'EUR' })}
        {text(t('options.ignore'), ['ignore'], {
          placeholder: t('options.ignoreExample'),
          hint: t('options.ignoreHint'),
        })}
        {text(t('options.require'), ['require'], { placeholder: t('options.requireExample') })}
        {pole ? (
          <>
            <SelectField
              label={t('options.trigger')}
              name={`capture.${p.index}.trigger`}
              value={trigger}
              options={[
                { value: 'stable', label: t('options.triggerStable') },
                { value: 'keyword', label: t('options.triggerKeyword') },
              ]}
              error={p.issueOf(o('trigger'))}
              onChange={(v) => p.update(o('trigger'), v === 'stable' ? undefined : v)}
            />
            {trigger === 'stable' ? (
              num(t('options.stableMs'), ['stableMs'], '1500')
            ) : (
              <ListField
                label={t('options.keywords')}
                name={`capture.${p.index}.keywords`}
                value={p.get(o('keywords'))}
                placeholder={t('options.keywordsExample')}
                hint={t('options.keywordsHint')}
                error={p.issueOf(o('keywords'))}
                onChange={(v) => p.update(o('keywords'), v)}
              />
            )}
            {num(t('options.columns'), ['columns'], '20')}
            {num(t('options.rows'), ['rows'], '2')}
            {check(t('options.acrossLines'), ['acrossLines'], true)}
          </>
        ) : (
          <>
            {check(t('options.endCut'), ['receiptEnd', 'cut'], true)}
            {check(t('options.endJob'), ['receiptEnd', 'endOfJob'], true)}
            {num(t('options.endIdle'), ['receiptEnd', 'idleMs'], '0')}
            {text(t('options.endPattern'), ['receiptEnd', 'pattern'], {})}
            {check(t('options.answerStatus'), ['answerStatus'], true)}
          </>
        )}
        {num(t('options.duplicateWindow'), ['duplicateWindowMs'], '60000', t('options.duplicateWindowHint'))}
        {text(t('options.refPrefix'), ['refPrefix'], { placeholder: pole ? 'POLE' : 'PRN' })}
      </div>
      {deviceTransport({
        label: pole ? t('options.realDisplay') : t('options.realPrinter'),
        base: o('forward'),
        p,
        hint: t('options.forwardHint'),
      })}
      {p.get(o('forward')) !== undefined ? (
        <div className="form-grid">
          {num(t('options.forwardRetry'), ['forwardRetryMs'], '2000', t('options.forwardRetryHint'))}
          {num(t('options.forwardBuffer'), ['forwardBufferBytes'], '8388608', t('options.forwardBufferHint'))}
        </div>
      ) : null}
      <div className="form-grid">
        {check(t('options.slip'), ['slip'], false)}
        {slip ? text(t('options.slipTitle'), ['slipTitle'], { placeholder: t('options.slipTitleExample') }) : null}
      </div>
      {slip || p.get(o('slipPrinter')) !== undefined
        ? deviceTransport({
            label: t('options.slipPrinter'),
            base: o('slipPrinter'),
            p,
            hint: pole ? t('options.slipPrinterHintDisplay') : t('options.slipPrinterHintPrinter'),
          })
        : null}
    </div>
  );
}

/** Concert (src/register/concert/options.ts): the line setting and what the sheet leaves open. */
function concertOptions(p: OptionsFormProps) {
  const { t } = p;
  const o = (k: string): Path => ['listeners', p.index, 'options', k];
  const val = (k: string): string => String(p.get(o(k)) ?? '');
  const select = (
    label: string,
    k: string,
    fallback: string,
    options: Array<{ value: string; label: string }>,
    hint?: string,
  ) => (
    <SelectField
      label={label}
      name={`concert.${p.index}.${k}`}
      value={val(k) || fallback}
      options={options}
      {...(hint ? { hint } : {})}
      error={p.issueOf(o(k))}
      onChange={(v) => p.update(o(k), v === fallback ? undefined : v)}
    />
  );
  return (
    <div className="options-block">
      <h4>{t('options.concert.title')}</h4>
      <div className="form-grid">
        {select(
          t('options.concert.line'),
          'line',
          'auto',
          [
            { value: 'auto', label: t('options.concert.lineAuto') },
            { value: '7E1', label: t('options.concert.line7E1') },
            { value: '8N1', label: t('options.concert.line8N1') },
          ],
          t('options.concert.lineHint'),
        )}
        {select(t('options.concert.answerPrivate'), 'answerPrivate', 'echo', [
          { value: 'echo', label: t('options.concert.privateEcho') },
          { value: 'receipt-number', label: t('options.concert.privateReceipt') },
        ])}
        {select(t('options.concert.type2'), 'type2', 'void', [
          { value: 'void', label: t('options.concert.type2Void') },
          { value: 'refuse', label: t('options.concert.type2Refuse') },
        ])}
        {select(t('options.concert.busyEnq'), 'busyEnq', 'silent', [
          { value: 'silent', label: t('options.concert.busySilent') },
          { value: 'nak', label: 'NAK' },
          { value: 'eot', label: 'EOT' },
        ])}
        <TextField
          label={t('options.concert.answerDeadline')}
          name={`concert.${p.index}.answerDeadlineMs`}
          inputMode="numeric"
          value={val('answerDeadlineMs')}
          placeholder="110000"
          hint={t('options.concert.answerDeadlineHint')}
          error={p.issueOf(o('answerDeadlineMs'))}
          onChange={(v) => p.update(o('answerDeadlineMs'), numberValue(v))}
        />
        <CheckField
          label={t('options.concert.controlParity')}
          checked={p.get(o('controlParity')) !== false}
          onChange={(v) => p.update(o('controlParity'), v ? undefined : false)}
        />
      </div>
    </div>
  );
}

/** Caisse-AP: the points its sheet leaves open (docs/caisse-ap.md "Options"); empty fields keep the defaults. */
function caisseApOptions(p: OptionsFormProps) {
  const { t } = p;
  const o = (k: string): Path => ['listeners', p.index, 'options', k];
  const val = (k: string): string => String(p.get(o(k)) ?? '');
  const num = (label: string, k: string, placeholder: string, hint?: string) => (
    <TextField
      label={label}
      name={`caisse.${p.index}.${k}`}
      inputMode="numeric"
      value={val(k)}
      placeholder={placeholder}
      {...(hint ? { hint } : {})}
      error={p.issueOf(o(k))}
      onChange={(v) => p.update(o(k), numberValue(v))}
    />
  );
  const check = (label: string, k: string, fallback: boolean, hint?: string) => {
    const v = p.get(o(k));
    return (
      <CheckField
        label={label}
        checked={typeof v === 'boolean' ? v : fallback}
        {...(hint ? { hint } : {})}
        onChange={(x) => p.update(o(k), x === fallback ? undefined : x)}
      />
    );
  };
  const select = (label: string, k: string, fallback: string, options: Array<{ value: string; label: string }>) => (
    <SelectField
      label={label}
      name={`caisse.${p.index}.${k}`}
      value={val(k) || fallback}
      options={options}
      error={p.issueOf(o(k))}
      onChange={(v) => p.update(o(k), v === fallback ? undefined : v)}
    />
  );
  return (
    <div className="options-block">
      <h4>{t('settings.protocol.caisseAp')}</h4>
      <div className="form-grid">
        {select(t('options.caisse.immediateStatus'), 'immediateStatus', '11', [
          { value: '11', label: t('options.caisse.status11') },
          { value: '10', label: t('options.caisse.status10') },
        ])}
        {check(t('options.caisse.pushFinalAnswer'), 'pushFinalAnswer', false)}
        {check(
          t('options.caisse.closeAfterAnswer'),
          'closeAfterAnswer',
          true,
          t('options.caisse.closeAfterAnswerHint'),
        )}
        {check(t('options.caisse.authorisedCode'), 'authorisedCode', true)}
        {select(t('options.caisse.schemeApplication'), 'schemeApplication', 'cb', [
          { value: 'cb', label: t('options.caisse.schemeCb') },
          { value: 'other', label: t('options.caisse.schemeOther') },
        ])}
        {select(t('options.caisse.panMask'), 'panMask', '#', [
          { value: '#', label: '# (497010######0042)' },
          { value: '*', label: '* (497010******0042)' },
        ])}
        {check(t('options.caisse.panType'), 'panType', false)}
        {check(
          t('options.caisse.cancelWhenRegisterLeaves'),
          'cancelWhenRegisterLeaves',
          false,
          t('options.caisse.cancelWhenRegisterLeavesHint'),
        )}
        {num(t('options.caisse.quietMs'), 'quietMs', '300')}
        {num(t('options.caisse.incompleteMs'), 'incompleteMs', '5000')}
        {num(t('options.caisse.abortAfterMs'), 'abortAfterMs', '150000')}
        {num(
          t('options.caisse.answerDeadlineMs'),
          'answerDeadlineMs',
          '170000',
          t('options.caisse.answerDeadlineMsHint'),
        )}
      </div>
    </div>
  );
}

/**
 * The options form of a listener's protocol (none for native and ZVT). Called as a function within the settings
 * form's render, not as a component, so that every field it shows is known (marked) before the form lists the
 * problems no field shows.
 */
export function listenerOptions(p: OptionsFormProps): ReactNode {
  if (p.protocol === 'text') return textOptions(p);
  if (p.protocol === 'pole-display' || p.protocol === 'printer') return captureOptions(p);
  if (p.protocol === 'ecr17') return ecr17Options(p);
  if (p.protocol === 'concert') return concertOptions(p);
  if (p.protocol === 'caisse-ap') return caisseApOptions(p);
  return null;
}
