import { describe, expect, it } from 'vitest';
import { CustomerDisplay, type DisplayOptions } from '../../src/register/capture/display';
import { parseFixture } from '../fixtures/capture/load';

function show(src: string, options: DisplayOptions = {}): string {
  const d = new CustomerDisplay(options);
  d.push(parseFixture('inline', src).bytes);
  return d.text();
}

describe('customer display emulation: CD5220 commands', () => {
  it('ESC Q A / ESC Q B write the upper and lower line (cut to the width)', () => {
    expect(show('ESC "QA" "HELLO" CR ESC "QB" "WORLD 12345678901234567890" CR')).toBe('HELLO\nWORLD 12345678901234');
  });

  it('ESC Q D shows a marquee on the upper line until the next byte, which clears that line', () => {
    expect(show('ESC "QA" "OLD" CR ESC "QD" "THANK YOU FOR SHOPPING WITH US TODAY" CR')).toBe(
      'THANK YOU FOR SHOPPING WITH US TODAY',
    );
    expect(show('ESC "QD" "THANK YOU" CR "X"')).toBe('X');
  });

  it('ESC l x y moves the cursor; ESC [ moves it step by step; CLR and CAN clear', () => {
    expect(show('ESC "l" 05 02 "AB" ESC "[H" "C" ESC "[B" ESC "[D" "D"')).toBe('C\nD   AB');
    expect(show('"ABC" LF "DEF" CLR "X"')).toBe('X');
    expect(show('"ABC" LF "DEF" CAN "X"')).toBe('ABC\nX');
  });

  it('ESC DC1 overwrite mode: writing past the bottom line starts again at the top', () => {
    expect(show('ESC 11 "12345678901234567890" "ABCDEFGHIJKLMNOPQRST" "XY"')).toBe(
      'XY345678901234567890\nABCDEFGHIJKLMNOPQRST',
    );
  });

  it('ESC DC2 vertical scroll mode: the lines move up', () => {
    expect(show('ESC 12 "LINE1" CR LF "LINE2" CR LF "LINE3"')).toBe('LINE2\nLINE3');
  });

  it('ESC DC3 horizontal scroll mode: the line moves left', () => {
    expect(show('ESC 13 "ABCDEFGHIJKLMNOPQRSTUV"')).toBe('CDEFGHIJKLMNOPQRSTUV');
  });

  it('ESC W takes the CD5220 length once a CD5220 command was seen', () => {
    expect(show('ESC "QA" "A" CR ESC "W" 01 01 14 01 "B"')).toBe('B');
  });
});

describe('customer display emulation: Epson ESC/POS display commands', () => {
  it('US $ x y positions; HOM, US B, US CR, BS, HT move the cursor', () => {
    expect(show('US "$" 03 02 "AB" HOM "C" US "B" "D" US CR "E" BS BS "F"')).toBe('C\nD AB' + ' '.repeat(14) + 'FE');
    expect(show('"A" HT "B"')).toBe('A B');
  });

  it('US MD1 / MD2 / MD3 switch modes', () => {
    expect(show('US 01 "ONE" CR LF "TWO" CR LF "THREE"')).toBe('THREE\nTWO');
    expect(show('US 02 "ONE" CR LF "TWO" CR LF "THREE"')).toBe('TWO\nTHREE');
  });

  it('US . n, US , n and US ; n put a period or comma with the digit', () => {
    expect(show('"1" US "," "2" "34" " " US "." "5" "00"')).toBe('12,34 5.00');
    expect(show('"7" US ";" "5"')).toBe('75.,');
  });

  it('ESC = 1 deselects the display until ESC = 2: what the printer gets is not shown', () => {
    expect(show('"A" ESC "=" 01 "TOTAL 99,99" ESC "@" GS "V" 00 ESC "=" 32 "B"')).toBe('AB');
    expect(show('ESC "=" 31 "X" ESC ESC "=" 33 "Y"')).toBe('Y');
  });

  it('ESC @ initialises: clears and returns to the first code table; a deselected display ignores it', () => {
    expect(show('"OLD" ESC "t" 13 ESC "@" "NEW" D5')).toBe('NEW?');
    expect(show('"OLD" ESC "=" 01 ESC "@" "NEW"')).toBe('OLD');
  });

  it('ESC & user-defined characters: pattern bytes are skipped by their announced size', () => {
    expect(show('"A" ESC "&" 01 20 22 05 "TOTAL" 03 "123" 00 "B"')).toBe('AB');
    expect(show('"A" ESC "&" 02 41 41 02 "1234" "B"')).toBe('AB');
  });

  it('parameters of US and ESC commands never show', () => {
    expect(
      show(
        '"A" US "C" 01 US "E" 0A US "X" 04 US "r" 01 US "#" 01 05 US "^" 01 02 US "T" 0C 1E US "@" ESC "t" 13 ESC "R" 02 ESC "%" 01 ESC "?" 41 "B"',
      ),
    ).toBe('AB');
    expect(show('"A" US "(A" 03 00 "xyz" "B"')).toBe('AB');
  });

  it('decodes high bytes by the code table (ESC t)', () => {
    expect(show('ESC "t" 13 "5 " D5')).toBe('5 €');
  });

  it('plain lines: LF returns to the left end unless configured otherwise; default is vertical scroll', () => {
    expect(show('"ONE" LF "TWO" LF "THREE"')).toBe('TWO\nTHREE');
    expect(show('"ONE" LF "TWO"', { lineFeedReturns: false, initialMode: 'overwrite' })).toBe('ONE\n   TWO');
  });

  it('a line of exactly the width followed by CR LF does not skip a line', () => {
    expect(show('"12345678901234567890" CR LF "NEXT"')).toBe('12345678901234567890\nNEXT');
  });

  it('honours other sizes', () => {
    expect(show('"ABCDEFGHIJ" CR LF "K" CR LF "L"', { columns: 10, rows: 3 })).toBe('ABCDEFGHIJ\nK\nL');
  });
});
