/**
 * The protocol options of one register listener (its `options` in the config file), as the settings form shows
 * them: the text protocol's line format, the capture modes' total pattern, trigger, forwarding, slips and
 * duplicate window, Concert's line settings and Caisse-AP's and Concert's open points. Field names and values are
 * exactly those of the options schemas (src/register/text/options.ts, src/register/capture/options.ts,
 * src/register/caisse-ap/options.ts, src/register/concert/options.ts); an empty field leaves the option out, so its default applies.
 */
import { useState, type ReactNode } from 'react';
import { CheckField, SelectField, TextField } from '../components/ui';

type Json = unknown;
type Path = ReadonlyArray<string | number>;

export interface OptionsFormProps {
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
  const items = text.split(',').map((x) => x.trim()).filter((x) => x !== '');
  return items.length ? items : undefined;
}

/** A list typed as text, items separated by commas; kept as typed while editing so that a comma can be typed. */
function ListField(p: { label: string; value: Json; error: string | undefined; name: string; placeholder: string; hint: string; onChange(v: Json): void }) {
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

/** Answer words of the text protocol, in the order of the format's description. */
const ANSWER_WORDS: Array<[string, string]> = [
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
];

/** A transport for the real device behind the bridge or the slip printer: none, TCP, or a serial port. */
function deviceTransport({ label, base, p, hint }: { label: string; base: Path; p: OptionsFormProps; hint: string }) {
  const t = p.get(base) as Record<string, Json> | undefined;
  const type = t && typeof t === 'object' ? String(t.type ?? '') : '';
  const key = (k: string): Path => [...base, k];
  return (
    <div className="options-block">
      <SelectField
        label={label}
        name={base.join('.')}
        value={type}
        hint={hint}
        options={[
          { value: '', label: 'None' },
          { value: 'tcp', label: 'Network (TCP)' },
          { value: 'serial', label: 'Serial (COM) port' },
        ]}
        error={p.issueOf(base)}
        onChange={(v) => p.update(base, v === '' ? undefined : v === 'tcp' ? { type: 'tcp', host: '127.0.0.1', port: 9100 } : { type: 'serial', path: '' })}
      />
      {type === 'tcp' ? (
        <div className="form-grid">
          <TextField label={`${label}: host`} name={key('host').join('.')} value={String(t?.host ?? '')} error={p.issueOf(key('host'))} onChange={(v) => p.update(key('host'), v)} />
          <TextField label={`${label}: port`} name={key('port').join('.')} inputMode="numeric" value={String(t?.port ?? '')} error={p.issueOf(key('port'))} onChange={(v) => p.update(key('port'), numberValue(v))} />
        </div>
      ) : null}
      {type === 'serial' ? (
        <div className="form-grid">
          <TextField label={`${label}: port name`} name={key('path').join('.')} value={String(t?.path ?? '')} placeholder="COM5 or /dev/ttyUSB1" error={p.issueOf(key('path'))} onChange={(v) => p.update(key('path'), v)} />
          <TextField label={`${label}: baud rate`} name={key('baudRate').join('.')} inputMode="numeric" value={String(t?.baudRate ?? '')} placeholder="9600" error={p.issueOf(key('baudRate'))} onChange={(v) => p.update(key('baudRate'), numberValue(v))} />
        </div>
      ) : null}
    </div>
  );
}

function textOptions(p: OptionsFormProps) {
  const o = (k: string): Path => ['listeners', p.index, 'options', k];
  const val = (k: string): string => String(p.get(o(k)) ?? '');
  const c = (k: string): Path => ['listeners', p.index, 'options', 'commands', k];
  const w = (k: string): Path => ['listeners', p.index, 'options', 'words', k];
  return (
    <div className="options-block">
      <h4>Text line format</h4>
      <div className="form-grid">
        <TextField label="Field separator" name={`text.${p.index}.separator`} value={val('separator')} placeholder=";" error={p.issueOf(o('separator'))} onChange={(v) => p.update(o('separator'), textValue(v))} />
        <SelectField label="Decimal separator" name={`text.${p.index}.decimal`} value={val('decimal') || '.'} options={[{ value: '.', label: 'Point (12.34)' }, { value: ',', label: 'Comma (12,34)' }]} error={p.issueOf(o('decimal'))} onChange={(v) => p.update(o('decimal'), v)} />
        <SelectField
          label="Thousands separator"
          name={`text.${p.index}.thousands`}
          value={val('thousands')}
          options={[{ value: '', label: 'None' }, { value: '.', label: 'Point' }, { value: ',', label: 'Comma' }, { value: "'", label: 'Apostrophe' }, { value: ' ', label: 'Space' }]}
          error={p.issueOf(o('thousands'))}
          onChange={(v) => p.update(o('thousands'), v === '' ? undefined : v)}
        />
        <SelectField label="Amounts as" name={`text.${p.index}.amountFormat`} value={val('amountFormat') || 'decimal'} options={[{ value: 'decimal', label: 'Decimal (12.34)' }, { value: 'minor', label: 'Minor units (1234)' }]} error={p.issueOf(o('amountFormat'))} onChange={(v) => p.update(o('amountFormat'), v)} />
        <TextField label="Currency when the line has none" name={`text.${p.index}.currency`} value={val('currency')} placeholder="EUR" error={p.issueOf(o('currency'))} onChange={(v) => p.update(o('currency'), textValue(v))} />
        <SelectField label="Line ending of answers" name={`text.${p.index}.lineEnding`} value={val('lineEnding') || 'CRLF'} options={['CRLF', 'LF', 'CR'].map((v) => ({ value: v, label: v }))} error={p.issueOf(o('lineEnding'))} onChange={(v) => p.update(o('lineEnding'), v)} />
        <TextField label="Longest line (bytes)" name={`text.${p.index}.maxLineBytes`} inputMode="numeric" value={val('maxLineBytes')} placeholder="1024" error={p.issueOf(o('maxLineBytes'))} onChange={(v) => p.update(o('maxLineBytes'), numberValue(v))} />
        {(['sale', 'refund', 'status', 'cancel'] as const).map((k) => (
          <TextField key={k} label={`Command word: ${k}`} name={`text.${p.index}.commands.${k}`} value={String(p.get(c(k)) ?? '')} placeholder={k.toUpperCase()} error={p.issueOf(c(k))} onChange={(v) => p.update(c(k), textValue(v))} />
        ))}
        <CheckField label="Send PROGRESS lines while a payment runs" checked={p.get(o('progress')) === true} onChange={(v) => p.update(o('progress'), v || undefined)} />
        <CheckField label="Add the plain-words message to result lines" checked={p.get(o('message')) === true} onChange={(v) => p.update(o('message'), v || undefined)} />
        <ListField label="Order of the request fields" name={`text.${p.index}.fields`} value={p.get(o('fields'))} placeholder="command, ref, amount, currency" hint="Names separated by commas; empty: the order shown." error={p.issueOf(o('fields'))} onChange={(v) => p.update(o('fields'), v)} />
        <ListField label="Order of the answer fields" name={`text.${p.index}.answerFields`} value={p.get(o('answerFields'))} placeholder="status, ref, result, detail" hint="Names separated by commas; empty: the order shown." error={p.issueOf(o('answerFields'))} onChange={(v) => p.update(o('answerFields'), v)} />
      </div>
      <h4>Answer words</h4>
      <div className="form-grid">
        {ANSWER_WORDS.map(([k, fallback]) => (
          <TextField key={k} label={`Answer word: ${k.replace('_', ' ')}`} name={`text.${p.index}.words.${k}`} value={String(p.get(w(k)) ?? '')} placeholder={fallback} error={p.issueOf(w(k))} onChange={(v) => p.update(w(k), textValue(v))} />
        ))}
      </div>
    </div>
  );
}

/** ECR17 (docs/ecr17.md "Options"): the register's terminal ID, the LRC mode, the commit and connection choices. */
function ecr17Options(p: OptionsFormProps) {
  const o = (k: string): Path => ['listeners', p.index, 'options', k];
  const val = (k: string): string => String(p.get(o(k)) ?? '');
  const check = (label: string, k: string, fallback: boolean, hint: string) => {
    const v = p.get(o(k));
    return <CheckField label={label} checked={typeof v === 'boolean' ? v : fallback} hint={hint} onChange={(x) => p.update(o(k), x === fallback ? undefined : x)} />;
  };
  return (
    <div className="options-block">
      <h4>ECR17 terminal</h4>
      <div className="form-grid">
        <TextField label="Terminal ID (8 digits)" name={`ecr17.${p.index}.terminalId`} value={val('terminalId')} placeholder="as set on the register" hint="Messages for another terminal ID are refused; 00000000 is always accepted." error={p.issueOf(o('terminalId'))} onChange={(v) => p.update(o('terminalId'), textValue(v.trim()))} />
        <SelectField
          label="LRC mode"
          name={`ecr17.${p.index}.lrcMode`}
          value={val('lrcMode') || 'auto'}
          options={[
            { value: 'auto', label: 'Detect from the register' },
            { value: 'std', label: 'std (message only)' },
            { value: 'stx', label: 'stx (STX + message + ETX)' },
            { value: 'noext', label: 'noext (message + ETX)' },
            { value: 'stx_noext', label: 'stx_noext (STX + message)' },
          ]}
          error={p.issueOf(o('lrcMode'))}
          onChange={(v) => p.update(o('lrcMode'), v === 'auto' ? undefined : v)}
        />
        <SelectField
          label="Receipt lines"
          name={`ecr17.${p.index}.receiptOrder`}
          value={val('receiptOrder') || 'before-result'}
          options={[{ value: 'before-result', label: 'Before the result' }, { value: 'after-result', label: 'After the result' }]}
          error={p.issueOf(o('receiptOrder'))}
          onChange={(v) => p.update(o('receiptOrder'), v === 'before-result' ? undefined : v)}
        />
        <TextField label="Acquirer ID (up to 11 characters)" name={`ecr17.${p.index}.acquirerId`} value={val('acquirerId')} error={p.issueOf(o('acquirerId'))} onChange={(v) => p.update(o('acquirerId'), textValue(v))} />
        <TextField label="Wait for the register's ACK (ms)" name={`ecr17.${p.index}.ackTimeoutMs`} inputMode="numeric" value={val('ackTimeoutMs')} placeholder="2000" error={p.issueOf(o('ackTimeoutMs'))} onChange={(v) => p.update(o('ackTimeoutMs'), numberValue(v))} />
        {check('Reverse a payment the register never acknowledged', 'reverseUnacknowledged', false, 'Off: the payment stands and the register asks for it again ("send last result").')}
        {check('Close the connection after each payment', 'closeAfterPayment', true, 'As a Nexi terminal does; registers reconnect for the next command.')}
      </div>
    </div>
  );
}

function captureOptions(p: OptionsFormProps) {
  const pole = p.protocol === 'pole-display';
  const o = (...k: string[]): Path => ['listeners', p.index, 'options', ...k];
  const val = (...k: string[]): string => String(p.get(o(...k)) ?? '');
  const text = (label: string, k: string[], extra: { placeholder?: string; hint?: string } = {}) => (
    <TextField label={label} name={`capture.${p.index}.${k.join('.')}`} value={val(...k)} {...extra} error={p.issueOf(o(...k))} onChange={(v) => p.update(o(...k), textValue(v))} />
  );
  const num = (label: string, k: string[], placeholder: string, hint?: string) => (
    <TextField label={label} name={`capture.${p.index}.${k.join('.')}`} inputMode="numeric" value={val(...k)} placeholder={placeholder} {...(hint ? { hint } : {})} error={p.issueOf(o(...k))} onChange={(v) => p.update(o(...k), numberValue(v))} />
  );
  const check = (label: string, k: string[], fallback: boolean, hint?: string) => {
    const v = p.get(o(...k));
    return <CheckField label={label} checked={typeof v === 'boolean' ? v : fallback} {...(hint ? { hint } : {})} onChange={(x) => p.update(o(...k), x === fallback ? undefined : x)} />;
  };
  const trigger = val('trigger') || 'stable';
  const slip = p.get(o('slip')) === true;
  return (
    <div className="options-block">
      <h4>{pole ? 'Pole display capture' : 'Receipt printer capture'}</h4>
      <div className="form-grid">
        {text('Total pattern', ['pattern'], {
          placeholder: 'the built-in TOTAL / SUMME / ZU ZAHLEN pattern',
          hint: 'A regular expression with a group named amount, e.g. TOTAL\\s+(?<amount>[0-9.,]+). Empty: the built-in pattern.',
        })}
        {text('Pattern flags', ['patternFlags'], { placeholder: 'iu', hint: 'Any of i, m, s, u.' })}
        <SelectField
          label="Decimal separator"
          name={`capture.${p.index}.decimal`}
          value={val('decimal') || 'auto'}
          options={[{ value: 'auto', label: 'Automatic (by position)' }, { value: ',', label: 'Comma (12,34)' }, { value: '.', label: 'Point (12.34)' }]}
          error={p.issueOf(o('decimal'))}
          onChange={(v) => p.update(o('decimal'), v === 'auto' ? undefined : v)}
        />
        <SelectField label="When several totals match" name={`capture.${p.index}.pick`} value={val('pick') || 'first'} options={[{ value: 'first', label: 'Take the first' }, { value: 'last', label: 'Take the last' }]} error={p.issueOf(o('pick'))} onChange={(v) => p.update(o('pick'), v === 'first' ? undefined : v)} />
        {text('Currency when the text names none', ['currency'], { placeholder: 'EUR' })}
        {text('Ignore text matching', ['ignore'], { placeholder: 'BAR|CASH|COPY', hint: 'A total in such text is never charged.' })}
        {text('Only text matching', ['require'], { placeholder: 'KARTE|CARD' })}
        {pole ? (
          <>
            <SelectField
              label="Start the payment when"
              name={`capture.${p.index}.trigger`}
              value={trigger}
              options={[{ value: 'stable', label: 'The total stays on the display for a while' }, { value: 'keyword', label: 'A key word appears' }]}
              error={p.issueOf(o('trigger'))}
              onChange={(v) => p.update(o('trigger'), v === 'stable' ? undefined : v)}
            />
            {trigger === 'stable' ? num('Stable for (ms)', ['stableMs'], '1500') : <ListField label="Key words" name={`capture.${p.index}.keywords`} value={p.get(o('keywords'))} placeholder="KARTE, CARD" hint="Words separated by commas; one of them on the display starts the payment." error={p.issueOf(o('keywords'))} onChange={(v) => p.update(o('keywords'), v)} />}
            {num('Display columns', ['columns'], '20')}
            {num('Display rows', ['rows'], '2')}
            {check('Find the total across the display lines', ['acrossLines'], true)}
          </>
        ) : (
          <>
            {check('A cut ends the receipt', ['receiptEnd', 'cut'], true)}
            {check('The end of the print job ends the receipt', ['receiptEnd', 'endOfJob'], true)}
            {num('Silence that ends the receipt (ms, 0 = off)', ['receiptEnd', 'idleMs'], '0')}
            {text('A line matching this ends the receipt', ['receiptEnd', 'pattern'], {})}
            {check('Answer status queries as a ready printer', ['answerStatus'], true)}
          </>
        )}
        {num('Duplicate window (ms, 0 = off)', ['duplicateWindowMs'], '60000', 'The same total again within this time waits for the cashier to confirm it.')}
        {text('Reference prefix', ['refPrefix'], { placeholder: pole ? 'POLE' : 'PRN' })}
      </div>
      {deviceTransport({
        label: pole ? 'Real display behind the bridge' : 'Real printer behind the bridge',
        base: o('forward'),
        p,
        hint: 'Every byte from the register is passed on to it unchanged.',
      })}
      {p.get(o('forward')) !== undefined ? (
        <div className="form-grid">
          {num('Try the real device again after (ms)', ['forwardRetryMs'], '2000', 'After it failed or went away.')}
          {num('Keep for it while it is away (bytes)', ['forwardBufferBytes'], '8388608', 'Beyond that the oldest bytes are dropped, and the log says so.')}
        </div>
      ) : null}
      <div className="form-grid">
        {check('Print a slip with the outcome after each payment', ['slip'], false)}
        {slip ? text('Slip title', ['slipTitle'], { placeholder: 'CARD PAYMENT' }) : null}
      </div>
      {slip || p.get(o('slipPrinter')) !== undefined ? (
        deviceTransport({ label: 'Slip printer', base: o('slipPrinter'), p, hint: pole ? 'Where slips are printed.' : 'None: slips go to the real printer behind the bridge.' })
      ) : null}
    </div>
  );
}

/** Concert (src/register/concert/options.ts): the line setting and what the sheet leaves open. */
function concertOptions(p: OptionsFormProps) {
  const o = (k: string): Path => ['listeners', p.index, 'options', k];
  const val = (k: string): string => String(p.get(o(k)) ?? '');
  const select = (label: string, k: string, fallback: string, options: Array<{ value: string; label: string }>, hint?: string) => (
    <SelectField label={label} name={`concert.${p.index}.${k}`} value={val(k) || fallback} options={options} {...(hint ? { hint } : {})} error={p.issueOf(o(k))} onChange={(v) => p.update(o(k), v === fallback ? undefined : v)} />
  );
  return (
    <div className="options-block">
      <h4>Concert (Telium E / E+)</h4>
      <div className="form-grid">
        {select('Line settings', 'line', 'auto', [
          { value: 'auto', label: 'Detect 7E1 or 8N1 from the register' },
          { value: '7E1', label: '7 data bits, even parity (7E1)' },
          { value: '8N1', label: '8 data bits, no parity (8N1)' },
        ], 'Keep the port itself at 8 data bits: the bridge does the 7E1 parity.')}
        {select('Private data in the answer', 'answerPrivate', 'echo', [
          { value: 'echo', label: 'As the register sent it' },
          { value: 'receipt-number', label: "The bridge's receipt number" },
        ])}
        {select('Transaction type 2', 'type2', 'void', [
          { value: 'void', label: 'Void of the last payment (same amount)' },
          { value: 'refuse', label: 'Refuse (status 9)' },
        ])}
        {select('While a payment runs, a new ENQ gets', 'busyEnq', 'silent', [
          { value: 'silent', label: 'No answer' },
          { value: 'nak', label: 'NAK' },
          { value: 'eot', label: 'EOT' },
        ])}
        <TextField label="Answer deadline (ms)" name={`concert.${p.index}.answerDeadlineMs`} inputMode="numeric" value={val('answerDeadlineMs')} placeholder="110000" hint="Cancel on the terminal when a payment has no outcome by then (registers wait 120 s)." error={p.issueOf(o('answerDeadlineMs'))} onChange={(v) => p.update(o('answerDeadlineMs'), numberValue(v))} />
        <CheckField label="7E1: control characters with a parity bit" checked={p.get(o('controlParity')) !== false} onChange={(v) => p.update(o('controlParity'), v ? undefined : false)} />
      </div>
    </div>
  );
}

/** Caisse-AP: the points its sheet leaves open (docs/caisse-ap.md "Options"); empty fields keep the defaults. */
function caisseApOptions(p: OptionsFormProps) {
  const o = (k: string): Path => ['listeners', p.index, 'options', k];
  const val = (k: string): string => String(p.get(o(k)) ?? '');
  const num = (label: string, k: string, placeholder: string, hint?: string) => (
    <TextField label={label} name={`caisse.${p.index}.${k}`} inputMode="numeric" value={val(k)} placeholder={placeholder} {...(hint ? { hint } : {})} error={p.issueOf(o(k))} onChange={(v) => p.update(o(k), numberValue(v))} />
  );
  const check = (label: string, k: string, fallback: boolean, hint?: string) => {
    const v = p.get(o(k));
    return <CheckField label={label} checked={typeof v === 'boolean' ? v : fallback} {...(hint ? { hint } : {})} onChange={(x) => p.update(o(k), x === fallback ? undefined : x)} />;
  };
  const select = (label: string, k: string, fallback: string, options: Array<{ value: string; label: string }>) => (
    <SelectField label={label} name={`caisse.${p.index}.${k}`} value={val(k) || fallback} options={options} error={p.issueOf(o(k))} onChange={(v) => p.update(o(k), v === fallback ? undefined : v)} />
  );
  return (
    <div className="options-block">
      <h4>Caisse-AP</h4>
      <div className="form-grid">
        {select('Immediate answer (BA=1) status', 'immediateStatus', '11', [
          { value: '11', label: '11: request taken into account (most registers)' },
          { value: '10', label: '10: request accepted (PayXpert-style registers)' },
        ])}
        {check('Immediate mode: also send the final answer if the register keeps the connection open', 'pushFinalAnswer', false)}
        {check('Close the connection after each answer', 'closeAfterAnswer', true, 'Off only for a register that sends several requests on one connection.')}
        {check('Send AF=01 with approvals', 'authorisedCode', true)}
        {select('Visa, Mastercard and Maestro cards reported as', 'schemeApplication', 'cb', [
          { value: 'cb', label: 'CB (001 contact, 00B contactless)' },
          { value: 'other', label: 'Other (000)' },
        ])}
        {select('Hidden card digits shown as', 'panMask', '#', [
          { value: '#', label: '# (497010######0042)' },
          { value: '*', label: '* (497010******0042)' },
        ])}
        {check('Send AL=1 (partial card number) with the card number', 'panType', false)}
        {check('Cancel the payment at once when the register hangs up', 'cancelWhenRegisterLeaves', false, 'Off: an approval the register can no longer take is reversed.')}
        {num('Quiet time that ends a request (ms)', 'quietMs', '300')}
        {num('Incomplete request refused after (ms)', 'incompleteMs', '5000')}
        {num('Ask the terminal to abort after (ms)', 'abortAfterMs', '150000')}
        {num('Answer at the latest after (ms)', 'answerDeadlineMs', '170000', 'Keep it below the register\'s own time-out (Odoo: 177 s).')}
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
