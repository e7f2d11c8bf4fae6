/** ZVT: the bridge as a payment terminal toward ZVT cash registers (docs/zvt.md). */
import { BridgeError } from '../../domain/errors';
import type { ListenerConfig } from '../../config/schema';
import type { RegisterProtocol } from '../protocol';
import { parseZvtOptions } from './options';
import { zvtSerialProtocol, zvtTcpProtocol } from './session';

export { zvtProtocol, zvtTcpProtocol, zvtSerialProtocol, type ZvtProtocolSetup } from './session';
export { zvtOptionsSchema, parseZvtOptions, type ZvtOptions, type ZvtOptionsInput } from './options';

/**
 * The ZVT protocol for a configured listener: raw APDUs on TCP; the serial framing (DLE/STX, CRC, ACK/NAK) on a
 * serial port and on a HID-to-UART cable (a serial line too). Checks the listener's ZVT options up front; a mistake
 * is a `config_invalid` BridgeError.
 */
export function zvtListenerProtocol(listener: ListenerConfig): RegisterProtocol {
  const input = {
    ...(listener.options ?? {}),
    ...(typeof listener.password === 'string' ? { password: listener.password } : {}),
  };
  try {
    parseZvtOptions(input);
  } catch (e) {
    throw new BridgeError('config_invalid', (e as Error).message);
  }
  return listener.transport.type === 'tcp' ? zvtTcpProtocol() : zvtSerialProtocol();
}
