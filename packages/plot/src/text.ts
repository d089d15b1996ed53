/**
 * The one font every figure uses, and its metrics. Text is laid out before it is drawn (legend
 * boxes, label margins), so the layout needs widths without a font engine: the font is Roboto Mono,
 * monospaced, and ships with this package (`@expo-google-fonts/roboto-mono`), so the PNG renderer
 * draws exactly the face the widths were computed for, on any machine, with or without system
 * fonts. The SVG names it first and falls back to the usual monospaced faces in a browser.
 */

/** The family name inside the bundled font file. */
export const FONT_FAMILY = 'Roboto Mono';

/** The SVG `font-family` list: the bundled face, then common monospaced ones. */
export const SVG_FONT_FAMILY = `${FONT_FAMILY}, DejaVu Sans Mono, Menlo, Consolas, monospace`;

/** Each glyph's advance, in ems (1229 / 2048 units in Roboto Mono). */
const ADVANCE_EM = 0.6;

/** The height of a capital above the baseline, in ems (1456 / 2048 units). */
export const CAP_HEIGHT_EM = 0.711;

/** The width of `text` set at `size` pixels. */
export function textWidth(text: string, size: number): number {
  return [...text].length * ADVANCE_EM * size;
}

/** The top of a text's capitals, from its y, size and vertical alignment. */
export function textTop(y: number, size: number, valign: 'top' | 'middle' | 'baseline'): number {
  const h = CAP_HEIGHT_EM * size;
  return valign === 'top' ? y : valign === 'middle' ? y - h / 2 : y - h;
}

/** The baseline of a text from its y, size and vertical alignment (where SVG places text). */
export function textBaseline(y: number, size: number, valign: 'top' | 'middle' | 'baseline'): number {
  return textTop(y, size, valign) + CAP_HEIGHT_EM * size;
}
