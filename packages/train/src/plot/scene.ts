/**
 * A chart as a list of drawing primitives in pixel coordinates (origin top-left), so that the SVG
 * writer and the PNG rasterizer draw the same picture.
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
  | {
      kind: 'text';
      x: number;
      y: number;
      text: string;
      /** Integer pixel scale of the 5×7 font: a glyph advances 6·scale pixels, capitals are 7·scale tall. */
      scale: number;
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
