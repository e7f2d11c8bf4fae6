/** Concert / Telium E and E+: the bridge as a French payment terminal on a serial line (docs/concert.md). */
import { BridgeError } from '../../domain/errors';
import type { ListenerConfig } from '../../config/schema';
import type { RegisterProtocol } from '../protocol';
import { CONCERT_TCP_MESSAGE, parseConcertOptions, type ConcertOptions } from './options';
import { concertProtocol } from './session';

export { concertProtocol, ConcertSession, statusFor, type ConcertProtocolSetup } from './session';
export { concertOptionsSchema, parseConcertOptions, type ConcertOptions, type ConcertOptionsInput } from './options';

/**
 * The Concert protocol for a configured listener, its options parsed once (a mistake is a `config_invalid`
 * BridgeError naming the field). On a port set to 7 data bits the UART does the parity itself: the bridge then
 * passes the characters through as they come (line "8N1" in software).
 */
export function concertListenerProtocol(listener: ListenerConfig): RegisterProtocol {
  if (listener.transport.type === 'tcp')
    throw new BridgeError('config_invalid', `listener transport.type: ${CONCERT_TCP_MESSAGE}`);
  const options: ConcertOptions = parseConcertOptions(listener.options ?? {});
  const hardwareParity = listener.transport.dataBits === 7;
  return concertProtocol(hardwareParity ? { ...options, line: '8N1' } : options);
}
