/**
 * Text for a terminal: colour through Node's `util.styleText`, and widths in display columns (string-width), so a
 * line with wide characters (CJK, emoji) or combining marks from a target's names still fits and lines up.
 */
import { styleText } from 'node:util';
import stringWidth from 'string-width';

/** The styles the terminal output uses. */
export type TerminalStyle = 'red' | 'green' | 'yellow' | 'gray' | 'bold';

/** `text` in `style` when `color` is on; else as it is. The caller decides colour (TTY, NO_COLOR, TERM=dumb). */
export function paint(options: { color: boolean }, style: TerminalStyle, text: string): string {
  // validateStream off: whether to colour is the caller's decision, made once for the stream written to.
  return options.color ? styleText(style, text, { validateStream: false }) : text;
}

/** Columns `text` takes on a terminal (colour codes take none). */
export function displayWidth(text: string): number {
  return stringWidth(text);
}

/** `text` padded with spaces on the right to `width` columns (never cut). */
export function padEnd(text: string, width: number): string {
  return text + ' '.repeat(Math.max(0, width - displayWidth(text)));
}

/** `text` padded with spaces on the left to `width` columns (never cut). */
export function padStart(text: string, width: number): string {
  return ' '.repeat(Math.max(0, width - displayWidth(text))) + text;
}

const graphemes = new Intl.Segmenter(undefined, { granularity: 'grapheme' });

/**
 * One line of at most `width` columns, without control characters: a target's names must not drive the terminal.
 * A longer line is cut between characters (never inside one) and ends in `…`.
 */
export function cut(text: string, width: number): string {
  const line = text.replace(/\s+/g, ' ').replace(/[\u0000-\u001f\u007f-\u009f]/g, '?').trim();
  if (displayWidth(line) <= width) return line;
  const room = Math.max(0, width - 1);
  let kept = '';
  let used = 0;
  for (const { segment } of graphemes.segment(line)) {
    const columns = displayWidth(segment);
    if (used + columns > room) break;
    kept += segment;
    used += columns;
  }
  return `${kept}…`;
}
