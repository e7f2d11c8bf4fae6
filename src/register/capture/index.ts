/**
 * Capture modes for registers that speak no payment protocol (docs/legacy-registers.md): the bridge poses as
 * the customer pole display or the receipt printer, reads the total and starts the payment itself.
 * The status UI uses the service's capture registry (pending confirmations, recent captures, events).
 */
export { poleDisplayProtocol, type CaptureSetup } from './pole-display';
export { printerProtocol } from './printer';
export { CaptureRegistry, type CaptureRecord, type PendingConfirmation, type CaptureEvents } from './capture-registry';
export {
  parsePoleOptions,
  parsePrinterOptions,
  type CaptureMode,
  type PoleOptions,
  type PrinterOptions,
} from './options';
export { systemClock, type Clock } from './clock';
