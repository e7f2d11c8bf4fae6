/**
 * Doctor: can each configured terminal be reached? IPP terminals are asked PING and GET_STATUS (no payment);
 * ePOS terminals go through `epos check` (token, session, terminal listed and active; no payment). For ePOS the
 * computer's clock is also compared with the gateway's `Date` header: receipts, business days and reconciliation
 * all use this computer's clock.
 */
import type { Config, EposTerminalConfig } from '../../config/schema';
import { eposBaseUrl } from '../../terminal/epos/config';
import { errorText } from '../../transport/usb/device-error';
import { fail, ok, skip, warn, type CheckResult, type DoctorEnv, type Finding } from './types';

/** Clock skew beyond which doctor warns, and beyond which it fails. */
export const SKEW_WARN_MS = 60_000;
export const SKEW_FAIL_MS = 5 * 60_000;

export async function checkTerminals(
  config: Config,
  env: Pick<DoctorEnv, 'ippHealth' | 'eposCheck'>,
): Promise<CheckResult> {
  const findings: Finding[] = [];
  for (const [i, t] of config.terminals.entries()) {
    const what = `terminal "${t.id}"`;
    switch (t.driver) {
      case 'simulator':
        findings.push(skip(`${what} is the built-in simulated terminal: nothing to reach`));
        break;
      case 'ipp': {
        const where =
          t.transport.type === 'tcp' ? `${t.transport.host}:${t.transport.port}` : `serial ${t.transport.path}`;
        try {
          const h = await env.ippHealth(t);
          if (!h.online) {
            findings.push(fail(`${what} (IPP ${where}): ${h.message}`, ippHints(t.transport.type === 'tcp', i)));
          } else if (/warning|slave/i.test(h.message)) {
            findings.push(warn(`${what} (IPP ${where}): ${h.message}`));
          } else {
            findings.push(ok(`${what} (IPP ${where}) answers PING: ${h.message}`));
          }
        } catch (e) {
          findings.push(fail(`${what} (IPP ${where}): ${errorText(e)}`, ippHints(t.transport.type === 'tcp', i)));
        }
        break;
      }
      case 'epos':
        findings.push(...(await epos(t, env)));
        break;
    }
  }
  return { title: 'Terminals', findings };
}

function ippHints(tcp: boolean, i: number): string[] {
  return tcp
    ? [
        'Check that the terminal is switched on, on its home screen, set to the "Cash Register" profile, and on the same network as this computer.',
        `The terminal's address is set in terminals[${i}].transport (port 7900 with ECR-POS Connect, 60180 with POSLink Manager).`,
      ]
    : [
        'Check the cable, and that the terminal is switched on, on its home screen and set to the "Cash Register" profile (USB).',
      ];
}

/** `epos check`'s steps as findings (an information step is an ok one). */
async function epos(t: EposTerminalConfig, env: Pick<DoctorEnv, 'eposCheck'>): Promise<Finding[]> {
  const what = `terminal "${t.id}" (ePOS)`;
  let r;
  try {
    r = await env.eposCheck(t);
  } catch (e) {
    return [fail(`${what}: ${errorText(e)}`)];
  }
  return r.steps.map((s) => ({
    status: s.status === 'info' ? 'ok' : s.status,
    text: `${what}: ${s.text}`,
    ...(s.hints.length ? { hints: s.hints } : {}),
  }));
}

/** The computer's clock against each ePOS gateway's `Date` header. */
export async function checkClock(config: Config, env: Pick<DoctorEnv, 'httpDate'>): Promise<CheckResult> {
  const gateways = [
    ...new Set(config.terminals.filter((t): t is EposTerminalConfig => t.driver === 'epos').map((t) => eposBaseUrl(t))),
  ];
  if (gateways.length === 0)
    return { title: 'Clock', findings: [skip('no ePOS terminal configured: no gateway to compare the clock with')] };
  const findings: Finding[] = [];
  for (const url of gateways) findings.push(await clockAgainst(url, env));
  return { title: 'Clock', findings };
}

async function clockAgainst(url: string, env: Pick<DoctorEnv, 'httpDate'>): Promise<Finding> {
  let answer;
  try {
    answer = await env.httpDate(url);
  } catch (e) {
    return warn(`cannot compare the clock with ${url}: ${errorText(e)}`);
  }
  const remote = answer.date ? Date.parse(answer.date) : NaN;
  if (!Number.isFinite(remote)) return warn(`${url} sent no usable Date header: the clock could not be compared`);
  // The header has whole seconds and was made somewhere between sending and receiving: compare with the middle.
  const local = (answer.sentAt + answer.receivedAt) / 2;
  const skew = local - remote;
  const size = Math.abs(skew);
  const words = `this computer's clock is ${formatDuration(size)} ${skew > 0 ? 'ahead of' : 'behind'} the gateway (${url})`;
  const hints = [
    "Receipts, business days, end of day and reconciliation use this computer's clock.",
    'Turn on automatic time (Windows: Settings → Time & language; macOS: Date & Time; Linux: timedatectl set-ntp true).',
  ];
  if (size > SKEW_FAIL_MS) return fail(words, hints);
  if (size > SKEW_WARN_MS) return warn(words, hints);
  return ok(`this computer's clock agrees with the gateway (${url}) within ${Math.max(1, Math.round(size / 1000))} s`);
}

export function formatDuration(ms: number): string {
  const s = Math.round(ms / 1000);
  if (s < 120) return `${s} s`;
  const m = Math.round(s / 60);
  if (m < 120) return `${m} min`;
  const h = Math.round(m / 60);
  if (h < 48) return `${h} h`;
  return `${Math.round(h / 24)} days`;
}
