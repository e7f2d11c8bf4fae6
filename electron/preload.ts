/**
 * The preload script: exposes exactly one small typed API (DesktopBridge) to the sandboxed page. It is bundled
 * into one CommonJS file that requires nothing but 'electron' (a sandboxed preload may not load other modules).
 */
import { contextBridge, ipcRenderer, type IpcRendererEvent } from 'electron';
import type { StatusEvent } from '../src/status/contract';
import { DESKTOP_BRIDGE_GLOBAL, IPC_CHANNELS, type DesktopBridge } from './ipc';

const api: DesktopBridge = {
  invoke: (method, arg) => ipcRenderer.invoke(IPC_CHANNELS.invoke, { method, arg }),
  onEvent(listener) {
    const handler = (_event: IpcRendererEvent, e: StatusEvent): void => listener(e);
    ipcRenderer.on(IPC_CHANNELS.event, handler);
    return () => {
      ipcRenderer.removeListener(IPC_CHANNELS.event, handler);
    };
  },
};

contextBridge.exposeInMainWorld(DESKTOP_BRIDGE_GLOBAL, api);
