/**
 * The simulated terminal on a serial line, as a myPOS terminal on a USB cable (CDC-ACM) or a Bluetooth SPP port is
 * (mypos-ipp.md §1: 115200 8N1 unless told otherwise). The port is kept open and served with IPP; when it goes away
 * (the other end of a pty pair closed, a USB-serial adapter pulled) it is opened again after a short pause, as the
 * real terminal comes back when the cable is plugged in again.
 */
import type { Logger } from '../../log/logger';
import { silentLogger } from '../../log/logger';
import { describeSerial, openSerialStream, serialSettings, type SerialConfig } from '../../transport/serial';
import { DeviceSupervisor } from '../../transport/usb/supervisor';
import type { IppSimulator } from './ipp-simulator';

export interface SimulatorSerialOptions extends SerialConfig {
  /** Pause before opening a lost or missing port again. Default 1000 ms. */
  readonly reopenMs?: number;
  readonly log?: Logger;
  /** Told each time the port is opened after the first attempt (it came back, or appeared late). */
  readonly onOpen?: () => void;
  /** Told each time the open port goes away, with the reason when there is one. */
  readonly onLost?: (reason: Error | undefined) => void;
}

export interface SimulatorSerialPort {
  /** "serial /dev/pts/7 115200 8N1" */
  readonly address: string;
  /** Whether the port is open now, and the last reason it was not. */
  state(): { readonly open: boolean; readonly error?: string };
  close(): Promise<void>;
}

/**
 * Serves IPP on a serial port. Resolves once the first attempt to open it is over (opened, or failed and
 * retrying: see `state()`); never rejects for a missing port.
 */
export async function serveIppOnSerial(
  sim: IppSimulator,
  options: SimulatorSerialOptions,
): Promise<SimulatorSerialPort> {
  const settings = serialSettings(options, 'ipp');
  const address = describeSerial(settings);
  const reopenMs = options.reopenMs ?? 1000;
  const supervisor = new DeviceSupervisor({
    description: `simulated terminal ${address}`,
    open: () => openSerialStream(settings, options.log ? { log: options.log } : {}),
    onStream: (stream) => sim.attach(stream),
    minDelayMs: reopenMs,
    maxDelayMs: reopenMs,
    log: options.log ?? silentLogger(),
  });
  const first = new Promise<void>((resolve) => {
    supervisor.once('open', () => resolve());
    supervisor.once('failed', () => resolve());
  });
  supervisor.start();
  await first;
  supervisor.on('open', () => options.onOpen?.());
  supervisor.on('lost', (reason) => options.onLost?.(reason));
  return {
    address,
    state: () => {
      const err = supervisor.lastError;
      return { open: supervisor.state === 'open', ...(err ? { error: err.message } : {}) };
    },
    close: () => supervisor.close(),
  };
}
