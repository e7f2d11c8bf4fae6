/**
 * Settings of the listeners' protocol options: the text protocol and the capture modes are checked field by field
 * with their own schemas (and a pattern by compiling it), so the page marks the very field and nothing invalid is
 * written.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { listenerOptionIssues } from '../../src/register/listener-options';
import { SettingsFile } from '../../src/status/settings';

const base = (listeners: unknown[]) => ({
  listeners,
  terminals: [{ id: 'lane1', driver: 'simulator', currency: 'EUR' }],
});
const tcp = (port: number) => ({ type: 'tcp', host: '127.0.0.1', port });

let dir: string;
let file: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'rb-settings-opt-'));
  file = join(dir, 'config.json');
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('listener options in the settings', () => {
  it('accepts the defaults and a full set of valid options of each mode', () => {
    expect(
      listenerOptionIssues(
        base([
          { protocol: 'text', transport: tcp(7451) },
          { protocol: 'pole-display', transport: tcp(7452) },
          { protocol: 'printer', transport: tcp(9100) },
          {
            protocol: 'printer',
            transport: tcp(9101),
            options: {
              pattern: 'SUMME\\s+(?<amount>[0-9.,]+)',
              decimal: ',',
              duplicateWindowMs: 30000,
              forward: tcp(9102),
              slip: true,
              receiptEnd: { idleMs: 500 },
            },
          },
          {
            protocol: 'pole-display',
            transport: tcp(7453),
            options: {
              trigger: 'keyword',
              keywords: ['KARTE'],
              slip: true,
              slipPrinter: { type: 'serial', path: '/dev/ttyS1' },
            },
          },
          { protocol: 'text', transport: tcp(7454), options: { decimal: ',', lineEnding: 'LF', separator: '|' } },
        ]),
      ),
    ).toEqual([]);
  });

  it('names each bad field with its path: pattern, decimal, window, slip printer, text separator', () => {
    const issues = listenerOptionIssues(
      base([
        { protocol: 'native', transport: tcp(7450), options: { anything: true } },
        { protocol: 'printer', transport: tcp(9100), options: { pattern: 'TOTAL (?<amount>[0-9' } },
        { protocol: 'printer', transport: tcp(9101), options: { pattern: 'TOTAL ([0-9.,]+)' } },
        { protocol: 'pole-display', transport: tcp(7452), options: { decimal: ';', duplicateWindowMs: -1 } },
        { protocol: 'pole-display', transport: tcp(7453), options: { slip: true } },
        { protocol: 'text', transport: tcp(7454), options: { separator: '1' } },
      ]),
    );
    const fields = issues.map((i) => i.field);
    expect(fields).toEqual([
      'listeners[1].options.pattern',
      'listeners[2].options.pattern',
      'listeners[3].options.decimal',
      'listeners[3].options.duplicateWindowMs',
      'listeners[4].options.slipPrinter',
      'listeners[5].options.separator',
    ]);
    expect(issues[0]!.message).toBe('is not a valid regular expression: Unterminated character class');
    expect(issues[1]!.message).toContain('named group "amount"');
  });

  it('refuses to save an invalid pattern and writes a valid one', () => {
    const good = base([
      { id: 'prn', protocol: 'printer', transport: tcp(9100), options: { pattern: 'TOTAL (?<amount>[0-9.,]+)' } },
    ]);
    writeFileSync(file, JSON.stringify(good));
    const s = new SettingsFile({ file, running: {} });
    expect(s.view().issues).toEqual([]);
    const bad = base([{ id: 'prn', protocol: 'printer', transport: tcp(9100), options: { pattern: '(?<amount>[' } }]);
    expect(s.validate(bad).map((i) => i.field)).toEqual(['listeners[0].options.pattern']);
    expect(s.save(bad)).toMatchObject({ saved: false, issues: [{ field: 'listeners[0].options.pattern' }] });
    expect(JSON.parse(readFileSync(file, 'utf8'))).toEqual(good);
    const changed = base([
      {
        id: 'prn',
        protocol: 'printer',
        transport: tcp(9100),
        options: { pattern: 'SUMME (?<amount>[0-9.,]+)', decimal: ',' },
      },
    ]);
    expect(s.save(changed)).toMatchObject({ saved: true });
    expect(JSON.parse(readFileSync(file, 'utf8'))).toEqual(changed);
  });
});
