/**
 * USB identifiers the bridge recognises: myPOS terminals (mypos-ipp.md §1 "USB identifiers") and HID-to-UART
 * bridge cables that registers are sold with. Used by "auto" serial paths, the device list and the udev rules
 * (docs/udev/60-register-bridge.rules lists the same ids; keep both in step).
 */
import { coreText, type CoreText } from '../../i18n/core-text';

export interface UsbId {
  readonly vendorId: number;
  readonly productId: number;
  /** In English; a product's own name (the cables) or the bridge's words (`labelText` then codes them). */
  readonly label: string;
  readonly labelText?: CoreText;
}

/**
 * myPOS terminals on a USB cable enumerate as a CDC-ACM virtual serial port (§1). Not exhaustive: PAX-made
 * terminals use ids that are not public, so such a terminal needs its port named in the config.
 */
export const MYPOS_USB_IDS: readonly UsbId[] = [
  {
    vendorId: 0x294a,
    productId: 0x3101,
    label: 'myPOS terminal (Nexgo)',
    labelText: coreText('devices.part.myPosTerminal', { maker: 'Nexgo' }),
  },
  {
    vendorId: 0x2c7c,
    productId: 0x0125,
    label: 'myPOS terminal (debug id)',
    labelText: coreText('devices.part.myPosTerminalDebug'),
  },
];

/**
 * HID-to-UART cables. `framing` says how the cable carries UART bytes in HID reports:
 * - "cp2110": Silicon Labs AN434 — data reports whose report id (first byte) is the payload length 1–63; the UART
 *   must be enabled and configured with feature reports 0x41 and 0x50 before data flows (hid/cp2110.ts).
 * - "length-prefixed": first byte of a report is the payload length, no set-up (generic cables).
 * Microchip's MCP2200 and MCP2221 also carry their UART on a CDC serial interface (it appears as a COM port /
 * /dev/ttyACM*): prefer the "serial" transport for them; their HID interface is listed so the operator sees it.
 */
export interface HidUartCableId extends UsbId {
  readonly framing: 'cp2110' | 'length-prefixed';
}

export const HID_UART_CABLE_IDS: readonly HidUartCableId[] = [
  { vendorId: 0x10c4, productId: 0xea80, label: 'Silicon Labs CP2110 HID-to-UART', framing: 'cp2110' },
  { vendorId: 0x04d8, productId: 0x00df, label: 'Microchip MCP2200 USB-to-UART', framing: 'length-prefixed' },
  { vendorId: 0x04d8, productId: 0x00dd, label: 'Microchip MCP2221 USB-to-UART/I2C', framing: 'length-prefixed' },
];

/** "294A:3101" — how ids are written in messages and docs. */
export function formatUsbId(vendorId: number, productId: number): string {
  return `${hex4(vendorId)}:${hex4(productId)}`;
}

export function hex4(n: number): string {
  return n.toString(16).toUpperCase().padStart(4, '0');
}

/** serialport reports ids as hex text ("294a", sometimes "0x294A"); undefined when absent or not hex. */
export function parseHexId(text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const m = /^(?:0x)?([0-9a-f]{1,4})$/i.exec(text.trim());
  return m ? Number.parseInt(m[1]!, 16) : undefined;
}

export function isMyPos(vendorId: number | undefined, productId: number | undefined): UsbId | undefined {
  return MYPOS_USB_IDS.find((id) => id.vendorId === vendorId && id.productId === productId);
}

export function hidUartCable(vendorId: number | undefined, productId: number | undefined): HidUartCableId | undefined {
  return HID_UART_CABLE_IDS.find((id) => id.vendorId === vendorId && id.productId === productId);
}
