/**
 * What the register listeners of one service keep across their connections: the capture listeners' lanes, held
 * totals and recent captures (the status page lists and decides them), and what a ZVT Registration set up on each ZVT
 * listener. The service owns one and passes it to each listener's protocol when it builds it (registry.ts).
 */
import { CaptureRegistry } from './capture/capture-registry';
import { ListenerStates } from './listener-state';
import { freshState, type ListenerState as ZvtListenerState } from './zvt/listener-state';

export class RegisterState {
  /** Capture listeners (pole display, printer): lanes, totals held for a decision, recent captures. */
  readonly captures = new CaptureRegistry();
  /** ZVT listeners: the Registration state (config byte, the register's currency and commands), by listener id. */
  readonly zvt = new ListenerStates<ZvtListenerState>(freshState);
}
