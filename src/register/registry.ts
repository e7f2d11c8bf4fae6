import { BridgeError } from '../domain/errors';
import type { ListenerConfig } from '../config/schema';
import type { RegisterProtocol } from './protocol';
import type { RegisterState } from './register-state';
import { nativeProtocol } from './native/session';
import { textProtocol } from './text/session';
import { poleDisplayProtocol } from './capture/pole-display';
import { printerProtocol } from './capture/printer';
import { zvtListenerProtocol } from './zvt/index';
import { ecr17ListenerProtocol } from './ecr17/index';
import { concertListenerProtocol } from './concert/index';
import { caisseApListenerProtocol } from './caisse-ap/index';

/** What the service gives a listener's protocol when it builds it. */
export interface ListenerSetup {
  /** The listener's id (`listenerId`). */
  readonly id?: string;
  /** What the listeners of the service keep across connections (default: the protocol keeps its own). */
  readonly state?: RegisterState;
  /** The listener's password, resolved from its secret reference (ZVT). */
  readonly password?: string;
}

/**
 * The register protocol a listener speaks, for its transport (ZVT frames differently on serial than on TCP). Its
 * options are parsed once, here, by the protocol's factory through its schema; a mistake throws.
 */
export function protocolFor(listener: ListenerConfig, setup: ListenerSetup = {}): RegisterProtocol {
  const captures = setup.state ? { registry: setup.state.captures } : {};
  switch (listener.protocol) {
    case 'native':
      return nativeProtocol(listener.options ?? {});
    case 'text':
      return textProtocol(listener.options ?? {});
    case 'pole-display':
      return poleDisplayProtocol(listener.options ?? {}, captures);
    case 'printer':
      return printerProtocol(listener.options ?? {}, captures);
    case 'zvt':
      return zvtListenerProtocol(listener, {
        ...(setup.password !== undefined ? { password: setup.password } : {}),
        ...(setup.state && setup.id !== undefined ? { state: setup.state.zvt.of(setup.id) } : {}),
      });
    case 'ecr17':
      return ecr17ListenerProtocol(listener);
    case 'concert':
      return concertListenerProtocol(listener);
    case 'caisse-ap':
      return caisseApListenerProtocol(listener);
    default:
      throw new BridgeError('config_invalid', `protocol "${listener.protocol}" is not available in this build`);
  }
}

/**
 * The language of a listener's receipts and messages: its own `locale`, else the shop's (`merchant.locale`); a ZVT
 * register with neither speaks German (ZVT is the German terminal protocol; docs/localisation.md), any other English.
 */
/** The language a national protocol's registers show when the config names none. */
const PROTOCOL_LOCALES: Partial<Record<ListenerConfig['protocol'], string>> = { zvt: 'de-DE', ecr17: 'it-IT' };

export function registerLocale(
  listener: Pick<ListenerConfig, 'protocol' | 'locale'>,
  merchantLocale: string | undefined,
): string | undefined {
  return listener.locale ?? merchantLocale ?? PROTOCOL_LOCALES[listener.protocol];
}
