/**
 * Receipt blocks as plain text lines of at most `width` columns (one column per Unicode code point; registers with
 * a printer font of double-width characters are not served). Long text wraps at spaces (a word longer than a line is
 * broken); a label/value pair keeps the value right-aligned, moving it to its own line when both do not fit.
 * No line has trailing spaces.
 */
import type { Align, Block } from './layout';

export function columns(s: string): number {
  return Array.from(s).length;
}

/** Word wrap to `width` columns. */
export function wrap(text: string, width: number): string[] {
  const words = text.split(' ').filter((w) => w !== '');
  const lines: string[] = [];
  let line = '';
  for (let word of words) {
    while (columns(word) > width) {
      if (line) {
        lines.push(line);
        line = '';
      }
      const chars = Array.from(word);
      lines.push(chars.slice(0, width).join(''));
      word = chars.slice(width).join('');
    }
    if (word === '') continue;
    if (line === '') line = word;
    else if (columns(line) + 1 + columns(word) <= width) line += ' ' + word;
    else {
      lines.push(line);
      line = word;
    }
  }
  if (line) lines.push(line);
  return lines.length ? lines : [''];
}

export function aligned(text: string, align: Align, width: number): string {
  const gap = width - columns(text);
  if (gap <= 0 || align === 'left') return text;
  if (align === 'right') return ' '.repeat(gap) + text;
  return ' '.repeat(Math.floor(gap / 2)) + text;
}

/** One block's lines, each with the alignment it is printed with (pairs come out padded, left-aligned). */
export function blockLines(block: Block, width: number): Array<{ text: string; align: Align }> {
  switch (block.t) {
    case 'blank':
      return [{ text: '', align: 'left' }];
    case 'rule':
      return [{ text: block.char.repeat(width), align: 'left' }];
    case 'text':
      return wrap(block.text, width).map((text) => ({ text, align: block.align }));
    case 'pair': {
      const left = block.left;
      const right = block.right;
      if (columns(left) + 1 + columns(right) <= width) {
        return [{ text: left + ' '.repeat(width - columns(left) - columns(right)) + right, align: 'left' }];
      }
      return [
        ...wrap(left, width).map((text) => ({ text, align: 'left' as const })),
        ...wrap(right, width).map((text) => ({ text: aligned(text, 'right', width), align: 'left' as const })),
      ];
    }
  }
}

/** The receipt as text lines at `width` columns. */
export function renderText(blocks: readonly Block[], width: number): string[] {
  return blocks.flatMap((b) => blockLines(b, width).map((l) => aligned(l.text, l.align, width).replace(/\s+$/, '')));
}
