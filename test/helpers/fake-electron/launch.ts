/**
 * One run of the built desktop app (dist-electron/main.cjs) under Node with a recording stand-in for the
 * `electron` module (electron.ts). The bundle is loaded with require(), as Electron loads it; while it loads,
 * require('electron') answers this launch's fake. The launch is driven like the real thing: `ready()` emits ready,
 * windows load the page through the app's own protocol handler and run the built preload, whose
 * `window.registerBridge` calls reach the main process over the fake IPC; the test answers message boxes, clicks
 * tray menu items, crashes the renderer, activates the Dock icon or ends the Windows session.
 */
import type { EventEmitter } from 'node:events';
import Module, { createRequire } from 'node:module';
import type { BuiltApp } from './build';
import {
  createFakeElectron,
  type FakeBrowserWindow,
  type FakeElectron,
  type FakeMessageBox,
  type FakeTray,
} from './electron';
import type { FakeMachine } from './machine';

const require = createRequire(import.meta.url);

type Loader = (request: string, parent: unknown, isMain: boolean) => unknown;
const moduleInternals = Module as unknown as { _load: Loader };
let serving: unknown;

/** Answers require('electron') with `fake` while `load` runs. */
function withElectron<T>(fake: unknown, load: () => T): T {
  const original = moduleInternals._load;
  moduleInternals._load = function (this: unknown, request, parent, isMain) {
    if (request === 'electron') return serving;
    return original.call(this, request, parent, isMain);
  };
  serving = fake;
  try {
    return load();
  } finally {
    moduleInternals._load = original;
    serving = undefined;
  }
}

export interface LaunchOptions {
  /** Command-line arguments after the executable (e.g. ['--hidden']). */
  readonly args?: readonly string[];
  /** macOS: the OS started the app as a login item. */
  readonly openedAtLogin?: boolean;
}

type ProcessEvent = 'uncaughtException' | 'unhandledRejection';
type Listener = (...a: unknown[]) => void;

export class Launch {
  readonly electron: FakeElectron;
  readonly argv: string[];
  exitCode: number | undefined;
  readonly exited: Promise<number>;
  /** What happened, in order (window created / shown, ready-to-show, core listening …) for ordering checks. */
  readonly timeline: string[] = [];
  private resolveExit!: (code: number) => void;
  private readonly processListeners: Array<[ProcessEvent, Listener]> = [];

  constructor(
    readonly machine: FakeMachine,
    readonly app: BuiltApp,
    readonly options: LaunchOptions,
  ) {
    this.argv = [machine.execPath, ...(options.args ?? [])];
    this.exited = new Promise((resolve) => (this.resolveExit = resolve));
    this.electron = createFakeElectron(this);
    machine.launches.push(this);
  }

  /** Loads the main bundle: everything it does before `ready` happens now. */
  start(): this {
    const events: ProcessEvent[] = ['uncaughtException', 'unhandledRejection'];
    const listenersOf = (e: ProcessEvent): Listener[] =>
      (process as unknown as EventEmitter).listeners(e) as Listener[];
    const before = new Map(events.map((e) => [e, listenersOf(e)]));
    const stdoutErrors = process.stdout.listeners('error');
    // The process's command line is this launch's from now on (the machine gives the test runner's back).
    process.argv = this.argv;
    delete require.cache[this.app.mainBundle];
    withElectron(this.electron, () => require(this.app.mainBundle));
    for (const [event, had] of before) {
      for (const l of listenersOf(event)) if (!had.includes(l)) this.processListeners.push([event, l]);
    }
    this.stdoutErrorListeners = process.stdout
      .listeners('error')
      .filter((l) => !stdoutErrors.includes(l)) as Listener[];
    return this;
  }

  private stdoutErrorListeners: Listener[] = [];

  /** The handlers the app installed on `process` (its crash policy). */
  processHandlers(event: ProcessEvent): Listener[] {
    return this.processListeners.filter(([e]) => e === event).map(([, l]) => l);
  }

  /** Runs the built preload for a page, with the renderer side of the fake IPC. */
  loadPreload(rendererElectron: unknown): void {
    delete require.cache[this.app.preloadBundle];
    withElectron(rendererElectron, () => require(this.app.preloadBundle));
  }

  /** Emits `ready` (Electron's app is ready from now on). */
  async ready(): Promise<void> {
    this.electron.app.emitReady();
    await settle();
  }

  get windows(): FakeBrowserWindow[] {
    return this.electron.state.windows.filter((w) => !w.isDestroyed());
  }

  get tray(): FakeTray | undefined {
    return this.electron.state.trays.find((t) => !t.isDestroyed());
  }

  /** The next message box the app shows (waits for it). */
  nextMessageBox(): Promise<FakeMessageBox> {
    return this.electron.state.nextMessageBox();
  }

  get messageBoxes(): FakeMessageBox[] {
    return this.electron.state.messageBoxes;
  }

  markExited(code: number): void {
    if (this.exitCode !== undefined) return;
    this.exitCode = code;
    this.timeline.push(`exit ${code}`);
    this.resolveExit(code);
  }

  /** Quits the app if it still runs (its own clean stop) and takes its process handlers away. */
  async dispose(): Promise<void> {
    if (this.exitCode === undefined && this.electron.app.isReady()) {
      this.electron.app.quit();
      await Promise.race([this.exited, new Promise((r) => setTimeout(r, 10_000))]);
    }
    if (this.exitCode === undefined) this.markExited(-1);
    for (const [event, l] of this.processListeners.splice(0)) (process as unknown as EventEmitter).off(event, l);
    for (const l of this.stdoutErrorListeners.splice(0)) process.stdout.off('error', l);
  }
}

/** Lets pending promise callbacks and I/O callbacks run. */
export async function settle(): Promise<void> {
  for (let i = 0; i < 3; i++) await new Promise((r) => setImmediate(r));
}
