/** The client inside the desktop app: the preload's `window.registerBridge` (Electron IPC). */
import type { DesktopBridge } from '../../../electron/ipc';
import { STATUS_METHODS, type StatusApi, type StatusMethod } from '../../../src/status/contract';
import { ApiProblem, type BridgeClient } from './types';

export function createIpcClient(bridge: DesktopBridge): BridgeClient {
  const call = async (method: StatusMethod, arg: unknown): Promise<unknown> => {
    const answer = await bridge.invoke(method, arg as never);
    if (!answer.ok) throw new ApiProblem(answer.problem);
    return answer.value;
  };
  const api = Object.fromEntries(
    STATUS_METHODS.map((m) => [m, (arg?: unknown) => call(m, arg)]),
  ) as unknown as StatusApi;
  return {
    ...api,
    kind: 'ipc',
    subscribe(onEvent, onLink) {
      const off = bridge.onEvent(onEvent);
      onLink?.(true);
      return off;
    },
  };
}
