/** ZVT: the bridge as a payment terminal toward ZVT cash registers (docs/zvt.md). */
import { BridgeError } from '../../domain/errors';
import type { ListenerConfig } from '../../config/schema';
import type { RegisterProtocol } from '../protocol';
import type { ListenerState } from './listener-state';
import { zvtSerialProtocol, zvtTcpProtocol } from './session';

export { zvtTcpProtocol, zvtSerialProtocol, type ZvtProtocolSetup } from './session';
export { zvtOptionsSchema, parseZvtOptions, type ZvtOptions, type ZvtOptionsInput } from './options';

/**
 * The ZVT protocol for a configured listener: raw APDUs on TCP; the serial framing (DLE/STX, CRC, ACK/NAK) on a
 * serial port and on a HID-to-UART cable (a serial line too). The listener's ZVT options (with its password, resolved
 * from its secret reference) are parsed once, here; a mistake is a `config_invalid` BridgeError. `state`: the
 * listener's Registration state, kept by the service.
 */
export function zvtListenerProtocol(
  listener: ListenerConfig,
  setup: { readonly password?: string; readonly state?: ListenerState } = {},
): RegisterProtocol {
  const password = setup.password ?? (typeof listener.password === 'string' ? listener.password : undefined);
  const options = { ...(listener.options ?? {}), ...(password !== undefined ? { password } : {}) };
  const zvt = { options, ...(setup.state ? { state: setup.state } : {}) };
  try {
    return listener.transport.type === 'tcp' ? zvtTcpProtocol(zvt) : zvtSerialProtocol(zvt);
  } catch (e) {
    throw new BridgeError('config_invalid', (e as Error).message);
  }
}
