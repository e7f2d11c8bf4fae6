/**
 * The shipped udev rule (docs/udev/60-register-bridge.rules) against the USB ids the bridge recognises
 * (src/transport/usb/ids.ts): every myPOS id gets its serial port and USB device, every HID-to-UART cable its
 * hidraw node and USB device; no id in the rule that the bridge does not know; nothing opened to everyone; and the
 * files the error messages send people to exist.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { HID_UART_CABLE_IDS, MYPOS_USB_IDS } from '../../src/transport/usb/ids';
import { explainOpenError } from '../../src/transport/serial/open-errors';
import { explainHidOpenError } from '../../src/transport/hid';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const RULES = join(ROOT, 'docs', 'udev', '60-register-bridge.rules');

interface Rule {
  readonly subsystem: string;
  readonly vendor: string;
  readonly product: string;
  readonly mode: string | undefined;
  readonly group: string | undefined;
  readonly text: string;
}

function rules(): Rule[] {
  return readFileSync(RULES, 'utf8')
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '' && !l.startsWith('#'))
    .map((text) => {
      const get = (re: RegExp): string | undefined => re.exec(text)?.[1];
      return {
        subsystem: get(/SUBSYSTEM=="([a-z]+)"/) ?? '',
        vendor: get(/ATTRS?\{idVendor\}=="([0-9a-f]+)"/) ?? '',
        product: get(/ATTRS?\{idProduct\}=="([0-9a-f]+)"/) ?? '',
        mode: get(/MODE="([0-7]+)"/),
        group: get(/GROUP="([a-z]+)"/),
        text,
      };
    });
}

const hex = (n: number): string => n.toString(16).padStart(4, '0');
const has = (all: Rule[], subsystem: string, vendorId: number, productId: number): Rule | undefined =>
  all.find((r) => r.subsystem === subsystem && r.vendor === hex(vendorId) && r.product === hex(productId));

describe('udev rule for Linux', () => {
  it('every line is a rule udev can read: subsystem, lower-case 4-digit ids, mode, group', () => {
    const all = rules();
    expect(all.length).toBeGreaterThan(0);
    for (const r of all) {
      expect(['tty', 'usb', 'hidraw'], r.text).toContain(r.subsystem);
      expect(r.vendor, r.text).toMatch(/^[0-9a-f]{4}$/);
      expect(r.product, r.text).toMatch(/^[0-9a-f]{4}$/);
      // usb devices match on their own attributes (ATTR), tty and hidraw nodes on their USB parent's (ATTRS).
      expect(r.text, r.text).toMatch(r.subsystem === 'usb' ? /ATTR\{idVendor\}/ : /ATTRS\{idVendor\}/);
      // Only `==` comparisons and `=` / `+=` assignments; every quoted value closed.
      expect((r.text.match(/"/g) ?? []).length % 2, r.text).toBe(0);
    }
  });

  it('myPOS terminals: their serial port in "dialout", their USB device in "plugdev", kept away from ModemManager', () => {
    const all = rules();
    for (const id of MYPOS_USB_IDS) {
      const tty = has(all, 'tty', id.vendorId, id.productId);
      const usb = has(all, 'usb', id.vendorId, id.productId);
      expect(tty, id.label).toMatchObject({ group: 'dialout', mode: '0660' });
      expect(usb, id.label).toMatchObject({ group: 'plugdev', mode: '0660' });
      expect(tty!.text).toContain('ENV{ID_MM_DEVICE_IGNORE}="1"');
    }
  });

  it('HID-to-UART cables: their hidraw node and USB device in "plugdev"', () => {
    const all = rules();
    for (const id of HID_UART_CABLE_IDS) {
      expect(has(all, 'hidraw', id.vendorId, id.productId), id.label).toMatchObject({ group: 'plugdev', mode: '0660' });
      expect(has(all, 'usb', id.vendorId, id.productId), id.label).toMatchObject({ group: 'plugdev', mode: '0660' });
    }
  });

  it('names no device the bridge does not recognise, and opens nothing to every user', () => {
    const known = new Set(
      [...MYPOS_USB_IDS, ...HID_UART_CABLE_IDS].map((id) => `${hex(id.vendorId)}:${hex(id.productId)}`),
    );
    for (const r of rules()) {
      expect(known.has(`${r.vendor}:${r.product}`), r.text).toBe(true);
      expect(r.mode, r.text).toBe('0660');
      expect(['dialout', 'plugdev'], r.text).toContain(r.group);
    }
  });

  it('the files a "permission denied" message points at exist', () => {
    const serial = explainOpenError(
      Object.assign(new Error('Error: Permission denied, cannot open /dev/ttyACM0'), { code: 'EACCES' }),
      {
        path: '/dev/ttyACM0',
        platform: 'linux',
        ports: [],
      },
    );
    const hid = explainHidOpenError(
      new Error('cannot open device with path /dev/hidraw3'),
      'hid 10C4:EA80',
      '/dev/hidraw3',
      'linux',
    );
    for (const message of [serial.message, hid.message]) {
      const files = [...message.matchAll(/docs\/[a-z0-9/.-]+\.(?:rules|md)/g)].map((m) => m[0]);
      expect(files.length, message).toBeGreaterThan(0);
      for (const f of files) expect(existsSync(join(ROOT, f)), f).toBe(true);
    }
  });
});
