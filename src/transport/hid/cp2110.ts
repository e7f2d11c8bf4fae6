/**
 * Silicon Labs CP2110 set-up (AN434, "CP2110/4 HID-to-UART Interface Specification"): the UART passes data only
 * once enabled, and runs at the line settings given by the UART Config feature report.
 *
 *   0x41 Get/Set UART Enable   [0x41, 0x01]                                   enable
 *   0x50 Get/Set UART Config   [0x50, baud (4 bytes, big-endian), parity, flow control, data bits, stop bits]
 *        parity 0 none, 1 odd, 2 even, 3 mark, 4 space; flow control 0 none, 1 hardware;
 *        data bits 0 = 5 … 3 = 8; stop bits 0 short (1 bit), 1 long (1.5 bits with 5 data bits, else 2)
 *
 * Written from the application note; not yet tried on a cable at a till — verify before relying on it.
 */
import type { LineSettings } from '../serial/settings';

export const CP2110_REPORT = { UART_ENABLE: 0x41, UART_CONFIG: 0x50 } as const;

const PARITY: Record<LineSettings['parity'], number> = { none: 0, odd: 1, even: 2, mark: 3, space: 4 };

export function cp2110UartConfig(line: LineSettings): Buffer {
  const report = Buffer.alloc(9);
  report[0] = CP2110_REPORT.UART_CONFIG;
  report.writeUInt32BE(line.baudRate, 1);
  report[5] = PARITY[line.parity];
  report[6] = 0; // no flow control
  report[7] = line.dataBits - 5;
  report[8] = line.stopBits === 1 ? 0 : 1;
  return report;
}

export function cp2110UartEnable(): Buffer {
  return Buffer.from([CP2110_REPORT.UART_ENABLE, 0x01]);
}
