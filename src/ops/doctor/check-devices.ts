/**
 * Doctor: the serial ports and HID cables the config names — present and openable by this user. Each is opened
 * and closed again at once; the transport's own sentences say what is wrong (missing, no permission, held by
 * another program and which one).
 */
import { listenerId, type Config } from '../../config/schema';
import { describeLine, serialSettings, type SerialSettings } from '../../transport/serial/settings';
import { describeHid } from '../../transport/hid';
import { errorText } from '../../transport/usb/device-error';
import { fail, ok, skip, type CheckResult, type DoctorEnv, type Finding } from './types';

export async function checkDevices(
  config: Config,
  env: Pick<DoctorEnv, 'openSerial' | 'openHid'>,
): Promise<CheckResult> {
  const findings: Finding[] = [];
  for (const [i, l] of config.listeners.entries()) {
    const what = `listener "${listenerId(l, i)}"`;
    if (l.transport.type === 'serial') {
      findings.push(await serial(what, serialSettings(l.transport, l.protocol), env, `listeners[${i}].transport.path`));
    } else if (l.transport.type === 'hid') {
      const t = l.transport;
      const line = serialSettings({ path: '', ...t }, l.protocol);
      const cable = describeHid(t);
      try {
        await env.openHid(t, line);
        findings.push(ok(`${what}: the HID cable ${cable} is plugged in and opens`));
      } catch (e) {
        findings.push(
          fail(`${what}: ${errorText(e)}`, [
            `The cable is set in listeners[${i}].transport (vendorId/productId); "register-bridge devices --hid" lists what is plugged in.`,
          ]),
        );
      }
    }
  }
  for (const [i, t] of config.terminals.entries()) {
    if (t.driver !== 'ipp' || t.transport.type !== 'serial') continue;
    const s = serialSettings(t.transport, 'ipp');
    findings.push(await serial(`terminal "${t.id}"`, s, env, `terminals[${i}].transport.path`));
  }
  if (findings.length === 0) return { title: 'Devices', findings: [skip('no serial ports or HID cables configured')] };
  return { title: 'Devices', findings };
}

async function serial(
  what: string,
  settings: SerialSettings,
  env: Pick<DoctorEnv, 'openSerial'>,
  field: string,
): Promise<Finding> {
  try {
    await env.openSerial(settings);
    return ok(`${what}: serial port ${settings.path} opens (${describeLine(settings)})`);
  } catch (e) {
    return fail(`${what}: ${errorText(e)}`, [
      `The port is set in ${field}; "register-bridge devices --serial" lists the ports of this computer.`,
    ]);
  }
}
