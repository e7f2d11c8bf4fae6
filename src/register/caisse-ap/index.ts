/** Caisse-AP over IP: the bridge as a French payment terminal toward Caisse-AP cash registers (docs/caisse-ap.md). */
import { BridgeError } from '../../domain/errors';
import type { ListenerConfig } from '../../config/schema';
import type { RegisterProtocol } from '../protocol';
import { caisseApProtocol } from './session';

export { caisseApProtocol, type CaisseApSetup } from './session';
export {
  caisseApOptionsSchema,
  parseCaisseApOptions,
  type CaisseApOptions,
  type CaisseApOptionsInput,
} from './options';

/** The default TCP port of Caisse-AP terminals and registers (caisse-ap.md §1). */
export const CAISSE_AP_PORT = 8888;

/** The protocol of a configured listener; its options are checked once, here (a mistake is `config_invalid`). */
export function caisseApListenerProtocol(listener: ListenerConfig): RegisterProtocol {
  try {
    return caisseApProtocol(listener.options ?? {});
  } catch (e) {
    throw new BridgeError('config_invalid', (e as Error).message);
  }
}
