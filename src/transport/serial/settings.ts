/**
 * Line settings of a serial port and the defaults per use:
 * - myPOS terminal over USB CDC-ACM or Bluetooth SPP: 115200 baud, 8 data bits, no parity, 1 stop bit, no flow
 *   control (mypos-ipp.md §1).
 * - Registers: native 9600 8N1; ZVT 9600 8N2 (the ZVT serial line, see the ZVT docs); text 9600 8N1; Concert 9600 8N1
 *   (a 7E1 register is served on the same 8N1 port with the parity done in software, see register/concert/framing.ts).
 * Anything given in the config wins over the default.
 */
export type Parity = 'none' | 'even' | 'odd' | 'mark' | 'space';
export type DataBits = 5 | 6 | 7 | 8;
export type StopBits = 1 | 1.5 | 2;

export interface LineSettings {
  readonly baudRate: number;
  readonly dataBits: DataBits;
  readonly parity: Parity;
  readonly stopBits: StopBits;
}

export interface SerialSettings extends LineSettings {
  /** COM5, /dev/ttyACM0, or "auto" (find a myPOS terminal by its USB id). */
  readonly path: string;
  /**
   * Set DTR / RTS after opening. Undefined leaves what the OS did on open. Setting them fails on a pty ("Inappropriate
   * ioctl for device") and on some adapters: that is tolerated and logged at debug level.
   */
  readonly dtr?: boolean;
  readonly rts?: boolean;
}

/** What the config may say about a serial port (all optional except the path). */
export interface SerialConfig {
  readonly path: string;
  readonly baudRate?: number | undefined;
  readonly dataBits?: DataBits | undefined;
  readonly parity?: Parity | undefined;
  readonly stopBits?: StopBits | undefined;
  readonly dtr?: boolean | undefined;
  readonly rts?: boolean | undefined;
}

export type SerialUse = 'ipp' | 'native' | 'zvt' | 'text' | 'concert';

export const SERIAL_DEFAULTS: Readonly<Record<SerialUse, LineSettings>> = {
  ipp: { baudRate: 115200, dataBits: 8, parity: 'none', stopBits: 1 },
  native: { baudRate: 9600, dataBits: 8, parity: 'none', stopBits: 1 },
  zvt: { baudRate: 9600, dataBits: 8, parity: 'none', stopBits: 2 },
  text: { baudRate: 9600, dataBits: 8, parity: 'none', stopBits: 1 },
  concert: { baudRate: 9600, dataBits: 8, parity: 'none', stopBits: 1 },
};

/** The config merged over the defaults for its use. An unknown use gets 9600 8N1. */
export function serialSettings(config: SerialConfig, use: string): SerialSettings {
  const d = (SERIAL_DEFAULTS as Record<string, LineSettings>)[use] ?? SERIAL_DEFAULTS.native;
  return {
    path: config.path,
    baudRate: config.baudRate ?? d.baudRate,
    dataBits: config.dataBits ?? d.dataBits,
    parity: config.parity ?? d.parity,
    stopBits: config.stopBits ?? d.stopBits,
    ...(config.dtr !== undefined ? { dtr: config.dtr } : {}),
    ...(config.rts !== undefined ? { rts: config.rts } : {}),
  };
}

/** "9600 8N1", "9600 8E2", "115200 8N1.5". */
export function describeLine(s: LineSettings): string {
  return `${s.baudRate} ${s.dataBits}${s.parity[0]!.toUpperCase()}${s.stopBits}`;
}
