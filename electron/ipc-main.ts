/**
 * The main process's side of the typed IPC: one handler answering StatusApi calls from the app's own page only,
 * and the event stream pushed to the window.
 */
import type { IpcMain, IpcMainInvokeEvent, WebContents } from 'electron';
import type { StatusEvent } from '../src/status/contract';
import { callStatus } from '../src/status/arguments';
import type { StatusCore } from '../src/status/core';
import { problem, toProblem } from '../src/status/problem';
import { IPC_CHANNELS, isStatusMethod, type IpcAnswer } from './ipc';
import { isAppUrl } from './security';

/** Answers one request (exported for tests: no Electron needed). */
export async function answerInvoke(core: StatusCore, senderUrl: string, request: unknown): Promise<IpcAnswer<unknown>> {
  if (!isAppUrl(senderUrl))
    return { ok: false, problem: problem(403, 'Only the Register Bridge window may call the bridge') };
  const method = (request as { method?: unknown } | null)?.method;
  if (!isStatusMethod(method)) return { ok: false, problem: problem(404, `Unknown method ${JSON.stringify(method)}`) };
  try {
    const value = await callStatus(core, method, (request as { arg?: unknown }).arg);
    return { ok: true, value: value ?? null };
  } catch (e) {
    return { ok: false, problem: toProblem(e, method) };
  }
}

export function registerIpc(ipcMain: IpcMain, core: StatusCore, target: () => WebContents | undefined): () => void {
  ipcMain.handle(IPC_CHANNELS.invoke, (event: IpcMainInvokeEvent, request: unknown) =>
    answerInvoke(core, event.senderFrame?.url ?? '', request),
  );
  const forward = (e: StatusEvent): void => {
    const wc = target();
    if (wc && !wc.isDestroyed()) wc.send(IPC_CHANNELS.event, e);
  };
  core.on('event', forward);
  return () => {
    ipcMain.removeHandler(IPC_CHANNELS.invoke);
    core.off('event', forward);
  };
}
