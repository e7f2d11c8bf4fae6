/**
 * The fake-Electron harness: the built desktop app (build.ts) run under Node on a fake computer (machine.ts) with
 * a recording, rule-keeping stand-in for the `electron` module (electron.ts), one launch at a time or several
 * (launch.ts).
 */
export { buildDesktopApp, PROJECT_ROOT, type BuiltApp } from './build';
export { FakeImage, LifecycleError, type FakeMessageBox, type MenuItem } from './electron';
export { Launch, settle, type LaunchOptions } from './launch';
export { FakeMachine, type FakePlatform } from './machine';
