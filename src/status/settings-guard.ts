/**
 * What the settings API may not change on its own: where the myPOS secrets go. Any local process can reach the
 * status API, so a save must not be able to send the partner and merchant secrets somewhere else:
 *  - an ePOS gateway address must be https on a myPOS host (`*.mypos.com`), unless the config FILE already has
 *    `"developer": {"anyGatewayUrl": true}` — written there by a person at this computer, never through the API;
 *  - when the address the secrets go to changes (gatewayUrl or environment), both secrets must be typed again in
 *    the same save: a masked or referenced secret is not carried to a new address;
 *  - the `developer` section itself cannot be changed through the API.
 * A save that breaks one of these is refused as a whole (403, the fields named).
 */
import { EPOS_BASE_URLS } from '../terminal/epos/config';
import { SECRET_MASK, type FieldIssue } from './contract';
import { coreText, said } from '../i18n/say';

type Obj = Record<string, unknown>;

function isObj(v: unknown): v is Obj {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** The base URL an ePOS terminal entry sends its secrets to, or undefined when it cannot tell. */
function destination(t: Obj): string | undefined {
  if (typeof t.gatewayUrl === 'string') return t.gatewayUrl.replace(/\/+$/, '');
  if (t.environment === 'demo' || t.environment === 'live') return EPOS_BASE_URLS[t.environment];
  return undefined;
}

export function isMyposGatewayUrl(url: string): boolean {
  try {
    const u = new URL(url);
    return (
      u.protocol === 'https:' &&
      (u.hostname === 'mypos.com' || u.hostname.endsWith('.mypos.com')) &&
      u.username === '' &&
      u.password === ''
    );
  } catch {
    return false;
  }
}

/** True when the config file itself allows any gateway address (a developer's setup). */
export function developerGatewayAllowed(config: unknown): boolean {
  return isObj(config) && isObj(config.developer) && config.developer.anyGatewayUrl === true;
}

function typedSecret(v: unknown): boolean {
  return typeof v === 'string' && v !== '' && v !== SECRET_MASK;
}

export interface SettingsGuardOptions {
  /** Terminals whose secrets the same request entered and checked against the new address (the go-live switch). */
  readonly secretsEnteredFor?: readonly string[];
}

/**
 * Problems of a save that would lower security, checked on the page's candidate as sent (masks still in place)
 * against the config file as it is.
 */
export function settingsSecurityIssues(
  candidate: unknown,
  current: unknown,
  opts: SettingsGuardOptions = {},
): FieldIssue[] {
  if (!isObj(candidate)) return [];
  const issues: FieldIssue[] = [];
  const before = isObj(current) ? current : {};
  if (JSON.stringify(candidate.developer ?? null) !== JSON.stringify(before.developer ?? null)) {
    issues.push({
      field: 'developer',
      ...said('message', coreText('settingsGuard.developer')),
    });
  }
  const devAllowed = developerGatewayAllowed(before);
  const oldTerminals: unknown[] = Array.isArray(before.terminals) ? before.terminals : [];
  const terminals = Array.isArray(candidate.terminals) ? candidate.terminals : [];
  terminals.forEach((t, i) => {
    if (!isObj(t) || t.driver !== 'epos') return;
    // Masked secrets are put back by position: compare with the entry at the same place in the file.
    const at = oldTerminals[i];
    const old = isObj(at) && at.driver === 'epos' ? at : undefined;
    const url = t.gatewayUrl;
    // Only a change is judged: an address already in the file was put there by a person at this computer.
    if (typeof url === 'string' && url !== old?.gatewayUrl && !devAllowed && !isMyposGatewayUrl(url)) {
      issues.push({
        field: `terminals[${i}].gatewayUrl`,
        ...said('message', coreText('settingsGuard.gatewayUrl')),
      });
    }
    const to = destination(t);
    const moved = !old || to === undefined || destination(old) !== to;
    if (!moved || (typeof t.id === 'string' && opts.secretsEnteredFor?.includes(t.id))) return;
    for (const f of ['partnerSecret', 'merchantSecret'] as const) {
      const v = t[f];
      // A new entry may name its secrets by reference; an entry whose address changed must have them typed again.
      if (typedSecret(v) || (!old && v !== SECRET_MASK)) continue;
      issues.push({
        field: `terminals[${i}].${f}`,
        ...said('message', coreText('settingsGuard.retypeSecret')),
      });
    }
  });
  return issues;
}
