/**
 * Settings of the status page: the config file read, checked with the same schema the bridge starts with
 * (configIssues, one issue per field) and written back. Secrets never travel to the page: plain secrets are
 * replaced by SECRET_MASK, and a save that sends the mask back keeps the secret already in the file. With a
 * secret store (the desktop keychain), newly typed secrets are stored there and the file names them only.
 */
import { readFileSync, renameSync, writeFileSync, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { configIssues } from '../config/load';
import { fieldPath } from '../config/issue-text';
import { plainSecretText } from '../config/secrets';
import { listenerOptionIssues } from '../register/listener-options';
import { SECRET_MASK, type FieldIssue, type SettingsSaveAnswer, type SettingsView } from './contract';
import { StatusProblem } from './problem';
import { settingsSecurityIssues, type SettingsGuardOptions } from './settings-guard';
import type { SecurityEventSink } from '../security/events';
import { coreText, english, said, type CoreText } from '../i18n/say';

/** Where typed secrets go instead of the config file (the desktop shell's safeStorage keychain). */
export interface SecretStore {
  /** Stores `value` under `name` (overwriting). */
  write(name: string, value: string): void;
}

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type Obj = { [key: string]: Json };

/** Fields that hold a secret reference (a plain string, {"env"} or {"keychain"}), by position. */
function secretRefFields(config: Obj): Array<{ path: Array<string | number>; name: string }> {
  const out: Array<{ path: Array<string | number>; name: string }> = [];
  const listeners = Array.isArray(config.listeners) ? config.listeners : [];
  listeners.forEach((l, i) => {
    if (!isObj(l)) return;
    out.push({ path: ['listeners', i, 'token'], name: `listener.${String(l.id ?? i)}.token` });
    // Per-register keys of a native listener, each under its own keychain name.
    const registers = Array.isArray(l.registers) ? l.registers : [];
    registers.forEach((r, j) => {
      if (isObj(r))
        out.push({
          path: ['listeners', i, 'registers', j, 'key'],
          name: `listener.${String(l.id ?? i)}.register.${String(r.name ?? j)}.key`,
        });
    });
  });
  const terminals = Array.isArray(config.terminals) ? config.terminals : [];
  terminals.forEach((t, i) => {
    if (!isObj(t)) return;
    const id = String(t.id ?? i);
    for (const f of ['password', 'partnerSecret', 'merchantSecret'])
      out.push({ path: ['terminals', i, f], name: `terminal.${id}.${f}` });
  });
  out.push({ path: ['status', 'token'], name: 'status.token' });
  return out;
}

/** Plain passwords that are not references (the ZVT register password must be written as 6 digits). */
function plainPasswordFields(config: Obj): Array<Array<string | number>> {
  const listeners = Array.isArray(config.listeners) ? config.listeners : [];
  return listeners.map((_, i) => ['listeners', i, 'password']);
}

/** The config schema's problems, then those of each listener's protocol options (text, pole display, printer). */
function issuesOf(config: unknown): FieldIssue[] {
  const issues = configIssues(config);
  const seen = new Set(issues.map((i) => `${i.field}\u0000${i.message}`));
  return [...issues, ...listenerOptionIssues(config).filter((i) => !seen.has(`${i.field}\u0000${i.message}`))];
}

function isObj(v: unknown): v is Obj {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function getAt(root: Json, path: Array<string | number>): Json | undefined {
  let cur: Json | undefined = root;
  for (const p of path) {
    if (typeof p === 'number') cur = Array.isArray(cur) ? cur[p] : undefined;
    else cur = isObj(cur) ? cur[p] : undefined;
    if (cur === undefined) return undefined;
  }
  return cur;
}

function setAt(root: Json, path: Array<string | number>, value: Json): void {
  let cur: Json | undefined = root;
  for (const p of path.slice(0, -1))
    cur = typeof p === 'number' ? (Array.isArray(cur) ? cur[p] : undefined) : isObj(cur) ? cur[p] : undefined;
  const last = path[path.length - 1]!;
  if (typeof last === 'number' && Array.isArray(cur)) cur[last] = value;
  else if (typeof last === 'string' && isObj(cur)) cur[last] = value;
}

function clone<T>(v: T): T {
  return JSON.parse(JSON.stringify(v)) as T;
}

/** The config with every plain secret replaced by SECRET_MASK (references stay: they name, not contain). */
export function maskSecrets(config: unknown): unknown {
  if (!isObj(config)) return config;
  const copy = clone(config);
  for (const f of secretRefFields(copy)) if (typeof getAt(copy, f.path) === 'string') setAt(copy, f.path, SECRET_MASK);
  for (const p of plainPasswordFields(copy)) if (typeof getAt(copy, p) === 'string') setAt(copy, p, SECRET_MASK);
  return copy;
}

/** Puts back the secrets the page did not change (it sent SECRET_MASK) from the current file. */
export function restoreSecrets(candidate: unknown, current: unknown): unknown {
  if (!isObj(candidate)) return candidate;
  const copy = clone(candidate);
  const paths = [...secretRefFields(copy).map((f) => f.path), ...plainPasswordFields(copy)];
  for (const p of paths) {
    if (getAt(copy, p) !== SECRET_MASK) continue;
    const before = isObj(current) ? getAt(current, p) : undefined;
    if (before === undefined) setAt(copy, p, null);
    else setAt(copy, p, before);
  }
  return stripNulls(copy);
}

/** A mask with nothing behind it became null above: the field is removed (the schema then says if it is needed). */
function stripNulls(v: Json): Json {
  if (Array.isArray(v)) return v.map(stripNulls);
  if (isObj(v)) {
    const out: Obj = {};
    for (const [k, x] of Object.entries(v)) if (x !== null) out[k] = stripNulls(x);
    return out;
  }
  return v;
}

/** A warning for each plain-text secret of the file, as coded texts (the page writes them in its language). */
export function secretWarningTexts(config: unknown): CoreText[] {
  if (!isObj(config)) return [];
  return secretRefFields(config)
    .filter((f) => typeof getAt(config, f.path) === 'string')
    .map((f) => plainSecretText(fieldPath(f.path)));
}

/** `warnings` in English (as before, for API consumers) and `warningCodes`, the same warnings coded, in order. */
function warningsOf(config: unknown): Pick<SettingsView, 'warnings' | 'warningCodes'> {
  const texts = secretWarningTexts(config);
  return { warnings: texts.map(english), warningCodes: texts };
}

export interface SettingsFileOptions {
  /** The config file, or undefined when the bridge runs without one (demo): then settings are shown read-only. */
  readonly file?: string;
  /** The configuration the bridge runs with (shown when there is no file). */
  readonly running: unknown;
  readonly secretStore?: SecretStore;
  /** Where a refused or accepted change of where secrets go is reported. */
  readonly security?: SecurityEventSink;
}

export class SettingsFile {
  constructor(private readonly opts: SettingsFileOptions) {}

  private readRaw(): unknown {
    if (!this.opts.file) return this.opts.running;
    let text: string;
    try {
      text = readFileSync(this.opts.file, 'utf8');
    } catch (e) {
      throw new StatusProblem(
        404,
        coreText('problem.configUnreadable', {
          file: this.opts.file,
          reason: (e as NodeJS.ErrnoException).code ?? 'error',
        }),
        { code: 'config_invalid' },
      );
    }
    try {
      return JSON.parse(text) as unknown;
    } catch (e) {
      throw new StatusProblem(
        422,
        coreText('problem.configNotJson', { file: this.opts.file, error: (e as Error).message }),
        {
          code: 'config_invalid',
        },
      );
    }
  }

  view(): SettingsView {
    const raw = this.readRaw();
    return {
      file: this.opts.file ?? null,
      config: maskSecrets(raw),
      issues: issuesOf(raw),
      ...warningsOf(raw),
      writable: this.opts.file !== undefined,
    };
  }

  validate(candidate: unknown): FieldIssue[] {
    const current = this.readRaw();
    return [...settingsSecurityIssues(candidate, current), ...issuesOf(restoreSecrets(candidate, current))];
  }

  /** `guard`: what the caller itself checked (the go-live switch entered and tested the new secrets). */
  save(candidate: unknown, guard: SettingsGuardOptions = {}): SettingsSaveAnswer {
    if (!this.opts.file) {
      throw new StatusProblem(409, coreText('problem.demoMode'), { code: 'unsupported' });
    }
    const current = this.readRaw();
    const refused = settingsSecurityIssues(candidate, current, guard);
    if (refused.length > 0) {
      this.opts.security?.record({
        kind: 'settings',
        ...said('detail', coreText('security.settingsRefused', { fields: refused.map((i) => i.field).join(', ') })),
      });
      throw new StatusProblem(
        403,
        `This change would lower security and is refused: ${refused.map((i) => `${i.field} ${i.message}`).join('; ')}`,
        {
          code: 'unauthorized',
          issues: refused,
          detailCode: coreText('problem.securityRefused', {
            issues: refused.map((i) =>
              coreText('problem.fieldIssue', {
                field: i.field,
                message: i.messageCode ? [i.messageCode].flat() : i.message,
              }),
            ),
          }),
        },
      );
    }
    let next = restoreSecrets(candidate, current);
    const issues = issuesOf(next);
    if (issues.length > 0) return { saved: false, issues, warnings: [], warningCodes: [], restartNeeded: false };
    if (this.opts.secretStore && isObj(next)) next = this.moveSecretsToStore(next, current);
    writeAtomically(this.opts.file, JSON.stringify(next, null, 2) + '\n');
    return { saved: true, issues: [], ...warningsOf(next), restartNeeded: true };
  }

  /** Newly typed plain secrets go to the keychain; the file gets {"keychain": name}. Unchanged plain ones too. */
  private moveSecretsToStore(config: Obj, _current: unknown): Obj {
    const store = this.opts.secretStore!;
    const copy = clone(config);
    for (const f of secretRefFields(copy)) {
      const v = getAt(copy, f.path);
      if (typeof v !== 'string') continue;
      try {
        store.write(f.name, v);
      } catch (e) {
        throw new StatusProblem(
          500,
          `${fieldPath(f.path)} could not be stored in the keychain: ${e instanceof Error ? e.message : String(e)}`,
          { code: 'config_invalid' },
        );
      }
      setAt(copy, f.path, { keychain: f.name });
    }
    return copy;
  }
}

function writeAtomically(file: string, text: string): void {
  mkdirSync(dirname(file), { recursive: true });
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, text, { mode: 0o600 });
  renameSync(tmp, file);
}
