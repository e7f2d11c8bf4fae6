/**
 * Receipt blocks as ESC/POS bytes (Epson ESC/POS command reference; the subset every receipt printer has):
 *
 *   ESC @        1B 40        initialise
 *   ESC t n      1B 74 n      character code table (code-pages.ts: by the receipt's language unless configured)
 *   ESC a n      1B 61 n      justification: 0 left, 1 centre, 2 right
 *   ESC E n      1B 45 n      emphasised (bold) on/off
 *   GS ! n       1D 21 n      character size: 0x01 double height, 0x00 normal
 *   LF           0A           print and feed one line
 *   ESC d n      1B 64 n      print and feed n lines
 *   GS V 66 n    1D 56 42 n   feed to the cutter (+ n) and partial cut
 *
 * Line breaks and column padding are those of the text rendering at the same width, so a printed receipt and the
 * text lines always agree; centred and right-aligned lines are sent trimmed with ESC a, pairs padded.
 */
import type { Block } from './layout';
import { blockLines } from './text';
import { CODE_PAGES, DEFAULT_CODE_PAGE, encodeForPrinter } from './code-pages';
import type { Language } from '../i18n/catalogue.generated';
import type { EscPosOptions } from './types';

const ESC = 0x1b;
const GS = 0x1d;
const LF = 0x0a;
const ALIGN = { left: 0, center: 1, right: 2 } as const;

/** `language`: the receipt's; it picks the code page when `options.codePage` is not set (code-pages.ts). */
export function renderEscPos(
  blocks: readonly Block[],
  width: number,
  options: EscPosOptions = {},
  language: Language = 'en',
): Uint8Array {
  const page = options.codePage ?? DEFAULT_CODE_PAGE[language];
  const pageNumber = options.codePageNumber ?? CODE_PAGES[page].number;
  if (!Number.isInteger(pageNumber) || pageNumber < 0 || pageNumber > 255)
    throw new RangeError('codePageNumber must be 0–255');
  const feed = options.feedLines ?? 3;
  const out: number[] = [ESC, 0x40, ESC, 0x74, pageNumber];
  let align: keyof typeof ALIGN = 'left';
  let bold = false;
  let tall = false;
  const setAlign = (a: keyof typeof ALIGN): void => {
    if (a !== align) out.push(ESC, 0x61, ALIGN[a]);
    align = a;
  };
  const setBold = (on: boolean): void => {
    if (on !== bold) out.push(ESC, 0x45, on ? 1 : 0);
    bold = on;
  };
  const setTall = (on: boolean): void => {
    if (on !== tall) out.push(GS, 0x21, on ? 0x01 : 0x00);
    tall = on;
  };
  for (const block of blocks) {
    const style = block.t === 'text' || block.t === 'pair' ? block.style : undefined;
    setBold(style?.bold === true);
    setTall(style?.tall === true);
    for (const line of blockLines(block, width)) {
      setAlign(line.align);
      const text = line.align === 'left' ? line.text.replace(/\s+$/, '') : line.text.trim();
      out.push(...encodeForPrinter(text, page, language), LF);
    }
  }
  setBold(false);
  setTall(false);
  setAlign('left');
  if (options.cut !== false) out.push(ESC, 0x64, Math.max(0, Math.min(255, feed)), GS, 0x56, 0x42, 0x00);
  else if (feed > 0) out.push(ESC, 0x64, Math.min(255, feed));
  return Uint8Array.from(out);
}

/** Bytes as spaced upper-case hex, 16 per line (the golden-file form). */
export function hexDump(bytes: Uint8Array): string {
  const lines: string[] = [];
  for (let i = 0; i < bytes.length; i += 16) {
    lines.push(Array.from(bytes.subarray(i, i + 16), (b) => b.toString(16).toUpperCase().padStart(2, '0')).join(' '));
  }
  return lines.join('\n') + '\n';
}
