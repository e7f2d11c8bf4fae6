import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { EscPosParser, statusReply, type EscPosEvent } from '../../src/register/capture/escpos';
import { decodeTextByte } from '../../src/register/capture/codepages';
import { parseFixture } from '../fixtures/capture/load';
import { splitAt } from './capture-helpers';

/** The stream as text lines with markers for cuts, inits and queries. */
function render(events: EscPosEvent[]): string {
  return events
    .map((e) =>
      e.type === 'text'
        ? e.text
        : e.type === 'newline'
          ? '\n'
          : e.type === 'cut'
            ? '<CUT>'
            : e.type === 'init'
              ? '<INIT>'
              : `<${e.command} ${e.n}>`,
    )
    .join('');
}

const bytes = (src: string): Buffer => parseFixture('inline', src).bytes;
const parse = (src: string): string => render(new EscPosParser().push(bytes(src)));

describe('ESC/POS printer stream → text', () => {
  it('keeps text and line ends; CR and unknown control bytes print nothing; HT reads as a space', () => {
    expect(parse('"A" CR LF "B" HT "C" 07 LF FF "D"')).toBe('A\nB C\n\nD');
  });

  // Each command sits between "W" and "X" and its free parameters are "Z" (5A): a wrong length shows as a
  // leaked "Z" or a lost letter.
  const COMMANDS: Array<[string, string]> = [
    ['ESC @', 'ESC "@"'],
    ['ESC ! n', 'ESC "!" 5A'],
    ['ESC SP n', 'ESC 20 5A'],
    ['ESC $ nL nH', 'ESC "$" 5A 5A'],
    ['ESC % n', 'ESC "%" 01'],
    ['ESC - n', 'ESC "-" 5A'],
    ['ESC 2', 'ESC "2"'],
    ['ESC 3 n', 'ESC "3" 5A'],
    ['ESC = n', 'ESC "=" 01'],
    ['ESC ? n', 'ESC "?" 5A'],
    ['ESC D … NUL', 'ESC "D" 5A 5A 5A NUL'],
    ['ESC E n', 'ESC "E" 5A'],
    ['ESC G n', 'ESC "G" 5A'],
    ['ESC J n', 'ESC "J" 5A'],
    ['ESC L', 'ESC "L"'],
    ['ESC M n', 'ESC "M" 5A'],
    ['ESC R n', 'ESC "R" 5A'],
    ['ESC S', 'ESC "S"'],
    ['ESC T n', 'ESC "T" 5A'],
    ['ESC V n', 'ESC "V" 5A'],
    ['ESC W …', 'ESC "W" 5A 5A 5A 5A 5A 5A 5A 5A'],
    ['ESC \\ nL nH', 'ESC 5C 5A 5A'],
    ['ESC a n', 'ESC "a" 5A'],
    ['ESC c 3 n', 'ESC "c3" 5A'],
    ['ESC c 4 n', 'ESC "c4" 5A'],
    ['ESC c 5 n', 'ESC "c5" 5A'],
    ['ESC d n', 'ESC "d" 5A'],
    ['ESC p m t1 t2', 'ESC "p" 5A 5A 5A'],
    ['ESC r n', 'ESC "r" 5A'],
    ['ESC t n', 'ESC "t" 5A'],
    ['ESC u n', 'ESC "u" 5A'],
    ['ESC { n', 'ESC "{" 5A'],
    ['ESC ( A pL pH …', 'ESC "(A" 04 00 5A 5A 5A 5A'],
    ['ESC * m=0 (8-dot)', 'ESC "*" 00 03 00 5A 5A 5A'],
    ['ESC * m=33 (24-dot)', 'ESC "*" 21 02 00 5A*6'],
    ['ESC & y c1 c2 …', 'ESC "&" 02 41 42 02 5A*4 01 5A 5A'],
    ['GS ! n', 'GS "!" 5A'],
    ['GS $ nL nH', 'GS "$" 5A 5A'],
    ['GS ( L pL pH …', 'GS "(L" 03 00 5A 5A 5A'],
    ['GS ( k pL pH …', 'GS "(k" 05 00 5A*5'],
    ['GS * x y …', 'GS "*" 01 01 5A*8'],
    ['GS / m', 'GS "/" 5A'],
    ['GS 8 L p1–p4 …', 'GS "8L" 03 00 00 00 5A 5A 5A'],
    ['GS :', 'GS ":"'],
    ['GS B n', 'GS "B" 5A'],
    ['GS H n', 'GS "H" 5A'],
    ['GS L nL nH', 'GS "L" 5A 5A'],
    ['GS P x y', 'GS "P" 5A 5A'],
    ['GS Q 0 …', 'GS "Q0" 00 02 00 01 00 5A 5A'],
    ['GS W nL nH', 'GS "W" 5A 5A'],
    ['GS \\ nL nH', 'GS 5C 5A 5A'],
    ['GS ^ r t m', 'GS "^" 5A 5A 5A'],
    ['GS a n', 'GS "a" 5A'],
    ['GS b n', 'GS "b" 5A'],
    ['GS f n', 'GS "f" 5A'],
    ['GS g 0 m nL nH', 'GS "g0" 5A 5A 5A'],
    ['GS h n', 'GS "h" 5A'],
    ['GS k m=4 … NUL', 'GS "k" 04 "*1*" NUL'],
    ['GS k m=73 n …', 'GS "k" 49 03 5A 5A 5A'],
    ['GS v 0 …', 'GS "v0" 00 02 00 02 00 5A*4'],
    ['GS w n', 'GS "w" 5A'],
    ['GS z 0 t1 t2', 'GS "z0" 5A 5A'],
    ['FS !', 'FS "!" 5A'],
    ['FS &', 'FS "&"'],
    ['FS .', 'FS "."'],
    ['FS 2 c1 c2 + 72 bytes', 'FS "2" 5A 5A 5A*72'],
    ['FS p n m', 'FS "p" 01 00'],
    ['FS q n …', 'FS "q" 02 01 00 01 00 5A*8 01 00 00 00'],
    ['FS ( A pL pH …', 'FS "(A" 02 00 5A 5A'],
    ['FS g 1 …', 'FS "g1" 00 00 00 00 00 02 00 5A 5A'],
    ['DLE EOT n', 'DLE EOT 02'],
    ['DLE ENQ n', 'DLE 05 02'],
    ['DLE DC4 1 m t', 'DLE 14 01 5A 5A'],
    ['DLE DC4 8 …', 'DLE 14 08 5A*7'],
  ];

  it.each(COMMANDS)('%s is skipped by its exact length (parameters never print)', (_name, src) => {
    // Feeds print a line end and positions a space: only the two letters may remain besides white space.
    const text = parse(`"W" ${src} "X"`)
      .replace(/<[^>]*>/g, '')
      .replace(/\s/g, '');
    expect(text).toBe('WX');
  });

  it('image, graphics and 2D-code payloads holding LF, ESC, GS and text never leak', () => {
    const src = `
      GS "v0" 00 06 00 02 00 "TOTAL 1" LF ESC GS 0A 1B  "A"
      GS "(k" 09 00 31 50 30 "SUMME" LF  "B"
      GS "8L" 06 00 00 00 30 70 "TOTA" "C"
      ESC "*" 20 02 00 "SUMME " "D"`;
    expect(parse(src)).toBe('ABCD');
  });

  it('reports cuts: GS V m with and without n, ESC i, ESC m', () => {
    expect(parse('"a" GS "V" 00 "b" GS "V" 31 "c" GS "V" 42 05 "d" GS "V" 61 00 "e" ESC "i" "f" ESC "m" "g"')).toBe(
      'a<CUT>b<CUT>c<CUT>d<CUT>e<CUT>f<CUT>g',
    );
  });

  it('reports ESC @, feeds as line ends, and positions as spaces', () => {
    expect(parse('ESC "@" "Total:" ESC "$" 2C 01 "12.34" ESC "d" 02 "x" ESC "J" 10 "y"')).toBe(
      '<INIT>Total: 12.34\nx\ny',
    );
  });

  it('reports status queries and answers them as a ready printer', () => {
    expect(parse('DLE EOT 01 DLE EOT 04 GS "r" 01 GS "I" 42')).toBe('<DLE EOT 1><DLE EOT 4><GS r 1><GS I 66>');
    expect([...statusReply('DLE EOT', 1)!]).toEqual([0x12]);
    expect([...statusReply('DLE EOT', 4)!]).toEqual([0x12]);
    expect([...statusReply('GS r', 1)!]).toEqual([0x00]);
    expect(statusReply('DLE EOT', 7)).toBeUndefined();
    expect(statusReply('GS I', 66)).toBeUndefined();
  });

  it('a lone DLE is dropped and the next byte read afresh', () => {
    expect(parse('"a" DLE "b" DLE ESC "@" "c"')).toBe('ab<INIT>c');
  });

  it('decodes high bytes by the code table chosen with ESC t; ESC @ returns to PC437', () => {
    expect(parse('ESC "t" 13 "5 " D5 " M" 81 "sli" LF ESC "t" 10 "5 " 80 " M" FC "sli" LF ESC "@" 81')).toBe(
      '5 € Müsli\n5 € Müsli\n<INIT>ü',
    );
    expect(decodeTextByte(0, 0xe1)).toBe('ß');
    expect(decodeTextByte(2, 0x9b)).toBe('ø');
    expect(decodeTextByte(45, 0x80)).toBe('€');
    expect(decodeTextByte(7, 0xb0)).toBe('?');
  });

  it('the same events come out however the stream is chunked', () => {
    const stream = parseFixture(
      'x',
      `ESC "@" GS "v0" 00 02 00 02 00 "T" LF 1B 1D "A" ESC "&" 01 41 42 02 0A 0A 01 1B "B" ESC "D" 08 10 NUL "C" LF
       GS "k" 04 "*1*" NUL FS "q" 01 01 00 01 00 0A*8 "D" ESC "t" 13 D5 DLE EOT 01 GS "V" 42 03`,
    ).bytes;
    const whole = render(new EscPosParser().push(stream));
    expect(whole).toBe('<INIT>ABC\nD€<DLE EOT 1><CUT>');
    fc.assert(
      fc.property(fc.array(fc.nat(stream.length), { maxLength: 12 }), (cuts) => {
        const p = new EscPosParser();
        const events = splitAt(stream, cuts).flatMap((piece) => p.push(piece));
        // Text may come in more pieces; the rendering is the same.
        expect(render(events)).toBe(whole);
      }),
      { numRuns: 300 },
    );
  });
});
