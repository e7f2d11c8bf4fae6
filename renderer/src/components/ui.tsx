import { useId, type ReactNode } from 'react';

/** A coloured word for an outcome or a state; the colour is never the only signal (the word is there). */
export function Badge({ tone, children }: { tone: string; children: ReactNode }) {
  return <span className={`badge badge-${tone}`}>{children}</span>;
}

/** A problem message announced to screen readers (mostly the bridge's own words: `data-source="bridge"`). */
export function ErrorNote({ children }: { children: ReactNode }) {
  if (!children) return null;
  return (
    <p className="error-note" role="alert" data-source="bridge">
      {children}
    </p>
  );
}

interface FieldProps {
  label: string;
  value: string;
  onChange(value: string): void;
  error?: string | undefined;
  hint?: string;
  type?: 'text' | 'password' | 'date' | 'search';
  inputMode?: 'numeric' | 'decimal' | 'text';
  name?: string;
  autoComplete?: string;
  placeholder?: string;
  disabled?: boolean;
}

/** A labelled text input with its hint and its error right below it (linked with aria-describedby). */
export function TextField(p: FieldProps) {
  const id = useId();
  const hintId = `${id}-hint`;
  const errId = `${id}-err`;
  const described = [p.hint ? hintId : '', p.error ? errId : ''].filter(Boolean).join(' ') || undefined;
  return (
    <div className={`field${p.error ? ' field-invalid' : ''}`}>
      <label htmlFor={id}>{p.label}</label>
      <input
        id={id}
        name={p.name}
        type={p.type ?? 'text'}
        inputMode={p.inputMode}
        value={p.value}
        placeholder={p.placeholder}
        autoComplete={p.autoComplete ?? 'off'}
        spellCheck={false}
        disabled={p.disabled}
        aria-invalid={p.error ? true : undefined}
        aria-describedby={described}
        onChange={(e) => p.onChange(e.target.value)}
      />
      {p.hint ? (
        <small id={hintId} className="hint">
          {p.hint}
        </small>
      ) : null}
      {p.error ? (
        <small id={errId} className="field-error" role="alert" data-source="bridge">
          {p.error}
        </small>
      ) : null}
    </div>
  );
}

interface SelectProps {
  label: string;
  value: string;
  options: ReadonlyArray<{ value: string; label: string }>;
  onChange(value: string): void;
  error?: string | undefined;
  hint?: string;
  name?: string;
}

export function SelectField(p: SelectProps) {
  const id = useId();
  const errId = `${id}-err`;
  const hintId = `${id}-hint`;
  const described = [p.hint ? hintId : '', p.error ? errId : ''].filter(Boolean).join(' ') || undefined;
  return (
    <div className={`field${p.error ? ' field-invalid' : ''}`}>
      <label htmlFor={id}>{p.label}</label>
      <select
        id={id}
        name={p.name}
        value={p.value}
        aria-invalid={p.error ? true : undefined}
        aria-describedby={described}
        onChange={(e) => p.onChange(e.target.value)}
      >
        {p.options.map((o) => (
          <option key={o.value} value={o.value}>
            {o.label}
          </option>
        ))}
      </select>
      {p.hint ? (
        <small id={hintId} className="hint">
          {p.hint}
        </small>
      ) : null}
      {p.error ? (
        <small id={errId} className="field-error" role="alert" data-source="bridge">
          {p.error}
        </small>
      ) : null}
    </div>
  );
}

export function CheckField({
  label,
  checked,
  onChange,
  hint,
}: {
  label: string;
  checked: boolean;
  onChange(v: boolean): void;
  hint?: string;
}) {
  const id = useId();
  return (
    <div className="field field-check">
      <input
        id={id}
        type="checkbox"
        checked={checked}
        onChange={(e) => onChange(e.target.checked)}
        aria-describedby={hint ? `${id}-hint` : undefined}
      />
      <label htmlFor={id}>{label}</label>
      {hint ? (
        <small id={`${id}-hint`} className="hint">
          {hint}
        </small>
      ) : null}
    </div>
  );
}
