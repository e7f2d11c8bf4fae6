/**
 * The typed IPC surface between the desktop shell's main process and the status page. Two channels only:
 * one request channel carrying a StatusApi method name and its argument, and one event channel pushing
 * StatusEvents. The preload exposes exactly `DesktopBridge` on `window.registerBridge`.
 *
 * This file holds names and types only (no Electron import): the preload bundle and the renderer read it.
 */
import type { ProblemDetails, StatusArg, StatusEvent, StatusMethod, StatusResult } from '../src/status/contract';
import { STATUS_METHODS } from '../src/status/contract';

export const IPC_CHANNELS = {
  /** renderer → main: `{ method, arg }`, answered with an IpcAnswer. */
  invoke: 'register-bridge:invoke',
  /** main → renderer: one StatusEvent per message. */
  event: 'register-bridge:event',
} as const;

/** What the main process answers: errors travel as problem details (Electron would drop an Error's fields). */
export type IpcAnswer<T> =
  { readonly ok: true; readonly value: T } | { readonly ok: false; readonly problem: ProblemDetails };

export interface IpcRequest<M extends StatusMethod = StatusMethod> {
  readonly method: M;
  readonly arg: StatusArg<M>;
}

/** The API the preload script exposes to the page as `window.registerBridge`. */
export interface DesktopBridge {
  invoke<M extends StatusMethod>(method: M, arg: StatusArg<M>): Promise<IpcAnswer<StatusResult<M>>>;
  /** Calls `listener` for every event until the returned function is called. */
  onEvent(listener: (event: StatusEvent) => void): () => void;
}

/** The global name the preload uses. */
export const DESKTOP_BRIDGE_GLOBAL = 'registerBridge';

/** True when `value` names a StatusApi method (the main process checks every request with it). */
export function isStatusMethod(value: unknown): value is StatusMethod {
  return typeof value === 'string' && (STATUS_METHODS as readonly string[]).includes(value);
}
