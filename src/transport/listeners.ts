import { BridgeError } from '../domain/errors';
import type { ListenerConfig } from '../config/schema';
import type { Logger } from '../log/logger';
import { silentLogger } from '../log/logger';
import type { ByteStream } from './byte-stream';
import { listenTcp } from './tcp';
import { guardContext, type GuardSettings } from './foreign-protocol-guard';
import type { SecurityEventSink } from '../security/events';
// Serial ports, HID cables and USB plug events are loaded by the listeners that use them (`await import` below).
import type { SerialBackend } from './serial';
import type { HidBackend } from './hid';
import type { UsbPlugHub } from './usb';

/** An open listener: where registers reach it, and how to stop it. */
export interface OpenListener {
  /** "127.0.0.1:7450" for TCP, the device and its line settings otherwise ("serial COM4 9600 8N1"). */
  readonly address: string;
  readonly port?: number;
  /** Serial and HID: whether the device is open now, and why not. */
  device?(): { readonly open: boolean; readonly error?: string };
  close(): Promise<void>;
}

export interface ListenerDeps {
  /** The register protocol: picks the serial line defaults (native 9600 8N1, ZVT 9600 8N2). */
  readonly protocol?: string;
  readonly log?: Logger;
  /** USB plug events that make a lost device re-open at once; null: timed retries only. Default: the `usb` package. */
  readonly plugEvents?: UsbPlugHub | null;
  readonly serialBackend?: SerialBackend;
  readonly hidBackend?: HidBackend;
  /** Pause before re-opening a lost device (doubling per failure up to reopenMaxMs). Defaults 1 s and 30 s. */
  readonly reopenMinMs?: number;
  readonly reopenMaxMs?: number;
  /** The listener's id, for its security events. */
  readonly listener?: string;
  /** Where refused connections are reported (the status page's security events). */
  readonly security?: SecurityEventSink;
  /** TCP: how the foreign-protocol guard reads the protocol (line-based or not) and the connection timeouts. */
  readonly guard?: GuardSettings;
  /** TCP: connections served at once (default tcp.ts DEFAULT_MAX_CONNECTIONS). */
  readonly maxConnections?: number;
  /** TCP: every accepted connection, before the guard has seen a byte (`onStream` follows once it is clean). */
  readonly onAccept?: (socket: ByteStream, peer: string) => void;
}

/**
 * Opens a listener's transport and hands every register connection to `onStream` as a byte stream: one per TCP
 * connection; for a serial port or HID cable, the open device itself — and again after each re-open (replug,
 * error), so the protocol serves the new stream. A device missing at start is not fatal: it is logged in words
 * and opened as soon as it appears.
 *
 * Every TCP connection passes the foreign-protocol guard before `onStream` sees it (tcp.ts, foreign-protocol-guard.ts):
 * a register port never serves an HTTP request, a TLS handshake or a WebSocket, whatever protocol it speaks.
 * Serial ports and HID cables are not guarded: no browser or network peer reaches them, and a device cannot be
 * "closed" to a peer (it would only be opened again).
 */
export async function openListener(
  transport: ListenerConfig['transport'],
  onStream: (stream: ByteStream, peer: string) => void,
  deps: ListenerDeps = {},
): Promise<OpenListener> {
  switch (transport.type) {
    case 'tcp': {
      const context = guardContext(deps.log ?? silentLogger(), deps.listener, deps.security);
      const server = await listenTcp(transport.host, transport.port, onStream, {
        context,
        ...(deps.guard ? { guard: deps.guard } : {}),
        ...(deps.maxConnections !== undefined ? { maxConnections: deps.maxConnections } : {}),
        ...(deps.onAccept ? { onAccept: deps.onAccept } : {}),
      });
      return { address: `${server.host}:${server.port}`, port: server.port, close: () => server.close() };
    }
    case 'serial': {
      const { describeSerial, openSerialStream, serialSettings } = await import('./serial');
      const settings = serialSettings(transport, deps.protocol ?? 'native');
      const log = deps.log ?? silentLogger();
      return superviseDevice(
        describeSerial(settings),
        `serial ${settings.path}`,
        deps,
        undefined,
        () => openSerialStream(settings, { log, ...(deps.serialBackend ? { backend: deps.serialBackend } : {}) }),
        onStream,
      );
    }
    case 'hid': {
      const [{ serialSettings }, { describeHid, openHidStream }] = await Promise.all([
        import('./serial'),
        import('./hid'),
      ]);
      const line = serialSettings({ path: '', ...transport }, deps.protocol ?? 'native');
      const log = deps.log ?? silentLogger();
      const what = describeHid(transport);
      return superviseDevice(
        what,
        what,
        deps,
        (e) => e.vendorId === transport.vendorId && e.productId === transport.productId,
        () => openHidStream(transport, { line, log, ...(deps.hidBackend ? { backend: deps.hidBackend } : {}) }),
        onStream,
      );
    }
    default:
      throw new BridgeError(
        'config_invalid',
        `${(transport as { type: string }).type} listeners are not available in this build`,
      );
  }
}

async function superviseDevice(
  address: string,
  peer: string,
  deps: ListenerDeps,
  attachFilter: ((e: { vendorId?: number; productId?: number }) => boolean) | undefined,
  open: () => Promise<ByteStream>,
  onStream: (stream: ByteStream, peer: string) => void,
): Promise<OpenListener> {
  const [{ DeviceSupervisor }, { usbPlugHub }, { errorText }] = await Promise.all([
    import('./usb/supervisor'),
    import('./usb'),
    import('./usb/device-error'),
  ]);
  const hub = deps.plugEvents === undefined ? usbPlugHub() : deps.plugEvents;
  const supervisor = new DeviceSupervisor({
    description: address,
    open,
    onStream: (s) => onStream(s, peer),
    ...(deps.reopenMinMs !== undefined ? { minDelayMs: deps.reopenMinMs } : {}),
    ...(deps.reopenMaxMs !== undefined ? { maxDelayMs: deps.reopenMaxMs } : {}),
    ...(hub ? { plugEvents: hub.attachEvents(attachFilter) } : {}),
    ...(deps.log ? { log: deps.log } : {}),
  });
  // Wait for the first attempt only to report it in order; a missing device does not stop the bridge.
  const first = new Promise<void>((resolve) => {
    const done = (): void => {
      supervisor.off('open', done);
      supervisor.off('failed', done);
      resolve();
    };
    supervisor.on('open', done);
    supervisor.on('failed', done);
  });
  supervisor.start();
  await first;
  return {
    address,
    device: () => {
      const err = supervisor.lastError;
      return { open: supervisor.state === 'open', ...(err ? { error: errorText(err) } : {}) };
    },
    close: () => supervisor.close(),
  };
}
