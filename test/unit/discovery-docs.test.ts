/**
 * docs/devices.md against the product: every configuration example is accepted by the configuration schema, and
 * the USB ids the page names are the ones the bridge recognises.
 */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config/load';
import { formatUsbId, HID_UART_CABLE_IDS, MYPOS_USB_IDS } from '../../src/transport/usb/ids';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const PAGE = readFileSync(join(ROOT, 'docs', 'devices.md'), 'utf8');

describe('docs/devices.md', () => {
  it('every configuration example is valid', () => {
    const blocks = [...PAGE.matchAll(/```json\n([\s\S]*?)```/g)].map(
      (m) => JSON.parse(m[1]!) as Record<string, unknown>,
    );
    expect(blocks.length).toBeGreaterThanOrEqual(5);
    for (const b of blocks) {
      const config = {
        listeners: [{ protocol: 'native', transport: { type: 'tcp', host: '127.0.0.1', port: 0 } }],
        terminals: [{ id: 'sim', driver: 'simulator', currency: 'EUR' }],
        ...b,
      };
      expect(() => parseConfig(config), JSON.stringify(b)).not.toThrow();
    }
  });

  it("names the USB ids the bridge recognises, and the HID example's decimal ids are the CP2110's", () => {
    for (const id of [...MYPOS_USB_IDS, ...HID_UART_CABLE_IDS]) {
      const text = formatUsbId(id.vendorId, id.productId);
      const [v, p] = text.split(':');
      expect(PAGE.includes(text) || (PAGE.includes(v!) && PAGE.includes(p!)), `${id.label} ${text}`).toBe(true);
    }
    const hid = /"vendorId": (\d+), "productId": (\d+)/.exec(PAGE);
    expect(formatUsbId(Number(hid![1]), Number(hid![2]))).toBe('10C4:EA80');
  });
});
