/** ECR17 ("Protocollo 17"): the bridge as an Italian Nexi terminal toward ECR17 cash registers (docs/ecr17.md). */
import { BridgeError } from '../../domain/errors';
import type { ListenerConfig } from '../../config/schema';
import type { RegisterProtocol } from '../protocol';
import { ecr17Protocol } from './session';

export { ecr17Protocol, type Ecr17ProtocolSetup } from './session';
export { ecr17OptionsSchema, parseEcr17Options, type Ecr17Options, type Ecr17OptionsInput } from './options';

/**
 * The ECR17 protocol for a configured listener: the same framing on TCP and on a serial line. The options are parsed
 * once here; a mistake is a `config_invalid` BridgeError.
 */
export function ecr17ListenerProtocol(listener: ListenerConfig): RegisterProtocol {
  try {
    return ecr17Protocol({ options: listener.options ?? {} });
  } catch (e) {
    throw new BridgeError('config_invalid', (e as Error).message);
  }
}
