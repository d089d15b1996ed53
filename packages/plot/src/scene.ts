/**
 * A figure as a list of drawing primitives in pixel coordinates (origin top-left): charts are laid
 * out as data (and tested as data), then written as SVG, which is the source of the PNG.
 */
export type Point = readonly [number, number];

export type Prim =
  | {
      kind: 'rect';
      x: number;
      y: number;
      w: number;
      h: number;
      fill?: string;
      fillOpacity?: number;
      stroke?: string;
      strokeWidth?: number;
    }
  | { kind: 'line'; points: readonly Point[]; color: string; width: number; dash?: readonly number[] }
  | { kind: 'circle'; cx: number; cy: number; r: number; fill: string }
  /** A PNG drawn unsmoothed at (x, y), `width` × `height` pixels (an image grid's raster). */
  | { kind: 'image'; x: number; y: number; width: number; height: number; png: Uint8Array }
  | {
      kind: 'text';
      x: number;
      y: number;
      text: string;
      /** Font size in pixels (the bundled monospaced font: a glyph advances 0.6·size, see text.ts). */
      size: number;
      color: string;
      anchor: 'start' | 'middle' | 'end';
      /** Where y is: the top of the capitals, their middle, or the baseline. */
      valign: 'top' | 'middle' | 'baseline';
      /** Rotated a quarter turn counter-clockwise about (x, y) (a y-axis label). */
      vertical?: boolean;
    };

export interface Scene {
  width: number;
  height: number;
  background: string;
  items: Prim[];
}
