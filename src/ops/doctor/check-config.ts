/**
 * Doctor: the config file — readable, JSON, valid (every issue, not only the first), secrets resolvable, and what
 * is reachable from beyond this computer.
 */
import { configIssues, parseConfig } from '../../config/load';
import { isLoopback, listenerId, type Config } from '../../config/schema';
import { describeSecretRef, isPlainSecret, resolveSecret, type SecretRef } from '../../config/secrets';
import { fail, ok, warn, type CheckResult, type DoctorEnv, type Finding } from './types';

export interface ConfigCheck {
  readonly result: CheckResult;
  /** The parsed config when it is valid (the other checks need it). */
  readonly config?: Config;
}

export function checkConfig(file: string, env: Pick<DoctorEnv, 'readFile' | 'env'>): ConfigCheck {
  const title = `Config ${file}`;
  let text: string;
  try {
    text = env.readFile(file);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') {
      return {
        result: {
          title,
          findings: [
            fail('the config file does not exist', [
              'Create it (docs/operator.md, "Configure"), run the desktop app once (it writes a starter file), or name another file with --config FILE.',
            ]),
          ],
        },
      };
    }
    return {
      result: {
        title,
        findings: [
          fail(`the config file cannot be read (${code ?? (e as Error).message})`, [
            "Check the file's permissions for the user running the bridge.",
          ]),
        ],
      },
    };
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (e) {
    return {
      result: {
        title,
        findings: [
          fail(`the config file is not valid JSON: ${(e as Error).message}`, [
            'Fix the syntax (a missing comma or quote is the usual cause).',
          ]),
        ],
      },
    };
  }
  const issues = configIssues(value);
  if (issues.length > 0) {
    return {
      result: {
        title,
        findings: issues.map((i) => fail(`${i.field || 'config'}: ${i.message}`)),
      },
    };
  }
  const config = parseConfig(value);
  const findings: Finding[] = [
    ok(`valid: ${count(config.listeners.length, 'listener')}, ${count(config.terminals.length, 'terminal')}`),
    ...secretFindings(config, env.env),
    ...exposureFindings(config),
  ];
  return { result: { title, findings }, config };
}

function count(n: number, noun: string): string {
  return `${n} ${noun}${n === 1 ? '' : 's'}`;
}

/** Every secret reference: an unset environment variable stops the bridge; plain text and keychain entries are noted. */
function secretFindings(config: Config, env: Readonly<Record<string, string | undefined>>): Finding[] {
  const refs: Array<{ where: string; ref: SecretRef }> = [];
  config.listeners.forEach((l, i) => {
    if (l.token !== undefined) refs.push({ where: `listeners[${i}].token`, ref: l.token });
    l.registers?.forEach((r, j) => refs.push({ where: `listeners[${i}].registers[${j}].key`, ref: r.key }));
    if (l.password !== undefined && typeof l.password !== 'string')
      refs.push({ where: `listeners[${i}].password`, ref: l.password });
  });
  config.terminals.forEach((t, i) => {
    if (t.driver === 'ipp' && t.password !== undefined)
      refs.push({ where: `terminals[${i}].password`, ref: t.password });
    if (t.driver === 'epos') {
      refs.push({ where: `terminals[${i}].partnerSecret`, ref: t.partnerSecret });
      refs.push({ where: `terminals[${i}].merchantSecret`, ref: t.merchantSecret });
    }
  });
  if (config.status.token !== undefined) refs.push({ where: 'status.token', ref: config.status.token });

  const out: Finding[] = [];
  for (const { where, ref } of refs) {
    if (isPlainSecret(ref)) {
      out.push(
        warn(`${where} is written in plain text in the config file`, [
          'Prefer {"env":"VARIABLE"} or {"keychain":"name"} (docs/security.md).',
        ]),
      );
    } else if ('keychain' in ref) {
      out.push(ok(`${where} comes from ${describeSecretRef(ref)} (read by the desktop app; not checked here)`));
    } else {
      try {
        resolveSecret(ref, { env }, where);
        out.push(ok(`${where} comes from ${describeSecretRef(ref)}, which is set`));
      } catch (e) {
        out.push(
          fail((e as Error).message, [
            `Set ${ref.env} in the environment the bridge runs in (the service unit, the shell, or the desktop session).`,
          ]),
        );
      }
    }
  }
  return out;
}

/** Listeners and the status page beyond loopback are reachable from the network: say so. */
function exposureFindings(config: Config): Finding[] {
  const out: Finding[] = [];
  config.listeners.forEach((l, i) => {
    if (l.transport.type === 'tcp' && !isLoopback(l.transport.host)) {
      const auth = l.protocol === 'native' ? 'registers must send its token' : `${l.protocol} has no authentication`;
      out.push(
        warn(
          `listener "${listenerId(l, i)}" accepts connections from the network on ${l.transport.host}:${l.transport.port} (${auth})`,
          [
            'Limit who can reach that port with the firewall; bind to 127.0.0.1 when the register runs on this computer.',
          ],
        ),
      );
    }
  });
  if (config.status.enabled && !isLoopback(config.status.host)) {
    out.push(
      warn(
        `the status page is reachable from the network on ${config.status.host}:${config.status.port} (token required)`,
      ),
    );
  }
  return out;
}
