/** Picks the client at start-up: IPC inside the desktop app (the preload exposed its API), else HTTP. */
import { DESKTOP_BRIDGE_GLOBAL, type DesktopBridge } from '../../../electron/ipc';
import { createHttpClient } from './http';
import { createIpcClient } from './ipc';
import type { BridgeClient } from './types';

export function pickClient(): BridgeClient {
  const desktop = (window as unknown as Record<string, DesktopBridge | undefined>)[DESKTOP_BRIDGE_GLOBAL];
  return desktop ? createIpcClient(desktop) : createHttpClient();
}

export type { BridgeClient } from './types';
export { ApiProblem, errorText } from './types';
