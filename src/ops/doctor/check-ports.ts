/**
 * Doctor: can the bridge listen where it is configured to? Each TCP listener and the status page is bound for a
 * moment; a port in use is followed to the program holding it where the OS tells.
 */
import { listenerId, type Config } from '../../config/schema';
import { isBridgeProcess } from './port-owner';
import { fail, ok, skip, warn, type CheckResult, type DoctorEnv, type Finding, type PortOwner } from './types';

interface Endpoint {
  readonly what: string;
  readonly host: string;
  readonly port: number;
  /** The config field to change. */
  readonly field: string;
}

export function endpoints(config: Config): Endpoint[] {
  const out: Endpoint[] = [];
  config.listeners.forEach((l, i) => {
    if (l.transport.type === 'tcp')
      out.push({
        what: `listener "${listenerId(l, i)}"`,
        host: l.transport.host,
        port: l.transport.port,
        field: `listeners[${i}].transport.port`,
      });
  });
  if (config.status.enabled)
    out.push({ what: 'status page', host: config.status.host, port: config.status.port, field: 'status.port' });
  return out;
}

export async function checkPorts(
  config: Config,
  env: Pick<DoctorEnv, 'probePort' | 'portOwner'>,
): Promise<CheckResult> {
  const list = endpoints(config);
  if (list.length === 0) return { title: 'Ports', findings: [skip('no TCP listeners configured')] };
  const findings: Finding[] = [];
  for (const e of list) findings.push(await checkEndpoint(e, env));
  return { title: 'Ports', findings };
}

async function checkEndpoint(e: Endpoint, env: Pick<DoctorEnv, 'probePort' | 'portOwner'>): Promise<Finding> {
  const where = `${e.host}:${e.port}`;
  if (e.port === 0) return ok(`${e.what}: any free port on ${e.host} (port 0)`);
  const probe = await env.probePort(e.host, e.port);
  if (probe.free) return ok(`${e.what}: ${where} is free`);
  switch (probe.code) {
    case 'EADDRINUSE': {
      const owner = await env.portOwner(e.port);
      if (isBridgeProcess(owner)) {
        return warn(
          `${e.what}: ${where} is in use by Register Bridge itself (${describeOwner(owner!)}) — it is already running`,
          ['That is expected while the bridge runs. To start it again, stop that one first.'],
        );
      }
      if (owner && (owner.name || owner.pid)) {
        return fail(`${e.what}: ${where} is in use by ${describeOwner(owner)}`, [
          `Stop that program, or set ${e.field} to a free port (and the register to match).`,
        ]);
      }
      return fail(`${e.what}: ${where} is in use by another program${owner?.user ? ` of user ${owner.user}` : ''}`, [
        'Run doctor as administrator/root to see which program, stop it, or choose another port.',
        `The port is set in ${e.field}.`,
      ]);
    }
    case 'EACCES':
      return fail(`${e.what}: port ${e.port} needs administrator rights`, [
        `Ports below 1024 are reserved on this system: set ${e.field} to a port above 1023.`,
      ]);
    case 'EADDRNOTAVAIL':
      return fail(`${e.what}: ${e.host} is not an address of this computer`, [
        "Use 127.0.0.1 for registers on this computer, or one of this computer's network addresses.",
      ]);
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return fail(`${e.what}: the host name ${e.host} cannot be resolved`, ['Use an IP address such as 127.0.0.1.']);
    default:
      return fail(`${e.what}: cannot listen on ${where} (${probe.code})`);
  }
}

export function describeOwner(o: PortOwner): string {
  const name = o.name ?? 'a program';
  const parts = [o.pid !== undefined ? `process ${o.pid}` : undefined, o.user ? `user ${o.user}` : undefined].filter(
    Boolean,
  );
  return parts.length ? `${name} (${parts.join(', ')})` : name;
}
