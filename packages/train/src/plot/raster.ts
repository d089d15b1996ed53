import { textTop } from './chart';
import { GLYPH_ADVANCE, GLYPH_ROWS, GLYPH_WIDTH, glyph, textWidth } from './font';
import type { Point, Prim, Scene } from './scene';

/** An RGB image, 8 bits a channel, row-major. */
export interface RgbImage {
  width: number;
  height: number;
  data: Uint8Array;
}

type Rgb = [number, number, number];

/** Draws a scene into an RGB image: anti-aliased lines and circles, the built-in bitmap font for text. */
export function rasterize(scene: Scene): RgbImage {
  const width = Math.max(1, Math.round(scene.width));
  const height = Math.max(1, Math.round(scene.height));
  const img: RgbImage = { width, height, data: new Uint8Array(width * height * 3) };
  const bg = parseColor(scene.background);
  for (let i = 0; i < width * height; i++) img.data.set(bg, i * 3);
  for (const p of scene.items) draw(img, p);
  return img;
}

function draw(img: RgbImage, p: Prim): void {
  switch (p.kind) {
    case 'rect': {
      if (p.fill) {
        const c = parseColor(p.fill);
        const a = p.fillOpacity ?? 1;
        const x0 = Math.round(p.x);
        const y0 = Math.round(p.y);
        const x1 = Math.round(p.x + p.w);
        const y1 = Math.round(p.y + p.h);
        for (let y = y0; y < y1; y++) for (let x = x0; x < x1; x++) blend(img, x, y, c, a);
      }
      if (p.stroke) {
        const pts: Point[] = [
          [p.x, p.y],
          [p.x + p.w, p.y],
          [p.x + p.w, p.y + p.h],
          [p.x, p.y + p.h],
          [p.x, p.y],
        ];
        stroke(img, pts, parseColor(p.stroke), p.strokeWidth ?? 1);
      }
      return;
    }
    case 'line': {
      const c = parseColor(p.color);
      for (const part of p.dash ? dashes(p.points, p.dash) : [p.points]) stroke(img, part, c, p.width);
      return;
    }
    case 'circle': {
      const c = parseColor(p.fill);
      const x0 = Math.floor(p.cx - p.r - 1);
      const x1 = Math.ceil(p.cx + p.r + 1);
      const y0 = Math.floor(p.cy - p.r - 1);
      const y1 = Math.ceil(p.cy + p.r + 1);
      for (let y = y0; y <= y1; y++) {
        for (let x = x0; x <= x1; x++) {
          const d = Math.hypot(x + 0.5 - p.cx, y + 0.5 - p.cy);
          const cov = clamp01(p.r + 0.5 - d);
          if (cov > 0) blend(img, x, y, c, cov);
        }
      }
      return;
    }
    case 'text':
      drawText(img, p);
      return;
  }
}

function drawText(img: RgbImage, p: Extract<Prim, { kind: 'text' }>): void {
  const s = p.scale;
  const c = parseColor(p.color);
  const w = textWidth(p.text, s);
  const u0 = p.anchor === 'start' ? 0 : p.anchor === 'middle' ? -w / 2 : -w;
  const vTop = textTop(0, s, p.valign);
  const chars = [...p.text];
  chars.forEach((ch, k) => {
    const bits = glyph(ch);
    for (let r = 0; r < GLYPH_ROWS; r++) {
      const row = bits[r];
      if (!row) continue;
      for (let col = 0; col < GLYPH_WIDTH; col++) {
        if (!(row & (1 << (GLYPH_WIDTH - 1 - col)))) continue;
        const u = u0 + (k * GLYPH_ADVANCE + col) * s;
        const v = vTop + r * s;
        if (p.vertical) fillBlock(img, Math.round(p.x + v), Math.round(p.y - u - s), s, c);
        else fillBlock(img, Math.round(p.x + u), Math.round(p.y + v), s, c);
      }
    }
  });
}

function fillBlock(img: RgbImage, x: number, y: number, s: number, c: Rgb): void {
  for (let dy = 0; dy < s; dy++) for (let dx = 0; dx < s; dx++) blend(img, x + dx, y + dy, c, 1);
}

/** A polyline of `width` pixels, anti-aliased; each pixel takes its largest coverage, so joints blend once. */
function stroke(img: RgbImage, pts: readonly Point[], c: Rgb, width: number): void {
  if (pts.length === 0) return;
  const half = width / 2;
  const x0 = Math.max(0, Math.floor(Math.min(...pts.map((q) => q[0])) - half - 1));
  const x1 = Math.min(img.width - 1, Math.ceil(Math.max(...pts.map((q) => q[0])) + half + 1));
  const y0 = Math.max(0, Math.floor(Math.min(...pts.map((q) => q[1])) - half - 1));
  const y1 = Math.min(img.height - 1, Math.ceil(Math.max(...pts.map((q) => q[1])) + half + 1));
  if (x1 < x0 || y1 < y0) return;
  const bw = x1 - x0 + 1;
  const cov = new Float32Array(bw * (y1 - y0 + 1));
  const segs =
    pts.length === 1 ? [[pts[0], pts[0]] as const] : pts.slice(1).map((q, i) => [pts[i], q] as const);
  for (const [a, b] of segs) {
    const sx0 = Math.max(x0, Math.floor(Math.min(a[0], b[0]) - half - 1));
    const sx1 = Math.min(x1, Math.ceil(Math.max(a[0], b[0]) + half + 1));
    const sy0 = Math.max(y0, Math.floor(Math.min(a[1], b[1]) - half - 1));
    const sy1 = Math.min(y1, Math.ceil(Math.max(a[1], b[1]) + half + 1));
    for (let y = sy0; y <= sy1; y++) {
      for (let x = sx0; x <= sx1; x++) {
        const v = clamp01(half + 0.5 - segmentDistance(x + 0.5, y + 0.5, a, b));
        const i = (y - y0) * bw + (x - x0);
        if (v > cov[i]) cov[i] = v;
      }
    }
  }
  for (let y = y0; y <= y1; y++) {
    for (let x = x0; x <= x1; x++) {
      const v = cov[(y - y0) * bw + (x - x0)];
      if (v > 0) blend(img, x, y, c, v);
    }
  }
}

function segmentDistance(px: number, py: number, a: Point, b: Point): number {
  const dx = b[0] - a[0];
  const dy = b[1] - a[1];
  const len2 = dx * dx + dy * dy;
  const t = len2 === 0 ? 0 : Math.max(0, Math.min(1, ((px - a[0]) * dx + (py - a[1]) * dy) / len2));
  return Math.hypot(px - (a[0] + t * dx), py - (a[1] + t * dy));
}

/** Splits a polyline into its dashes (pattern: on, off, on, off, ... pixels). */
function dashes(pts: readonly Point[], pattern: readonly number[]): Point[][] {
  const out: Point[][] = [];
  if (pattern.length === 0 || pattern.some((v) => !(v > 0))) return [pts.slice()];
  let k = 0;
  let left = pattern[0];
  let on = true;
  let current: Point[] = [pts[0]];
  for (let i = 1; i < pts.length; i++) {
    let [ax, ay] = pts[i - 1];
    const [bx, by] = pts[i];
    let seg = Math.hypot(bx - ax, by - ay);
    while (seg > left) {
      const t = left / seg;
      const mx = ax + (bx - ax) * t;
      const my = ay + (by - ay) * t;
      if (on) {
        current.push([mx, my]);
        out.push(current);
      }
      current = [[mx, my]];
      seg -= left;
      ax = mx;
      ay = my;
      on = !on;
      k = (k + 1) % pattern.length;
      left = pattern[k];
    }
    left -= seg;
    current.push([bx, by]);
  }
  if (on && current.length > 1) out.push(current);
  return out;
}

function blend(img: RgbImage, x: number, y: number, c: Rgb, a: number): void {
  if (x < 0 || y < 0 || x >= img.width || y >= img.height || a <= 0) return;
  const i = (y * img.width + x) * 3;
  const d = img.data;
  if (a >= 1) {
    d[i] = c[0];
    d[i + 1] = c[1];
    d[i + 2] = c[2];
    return;
  }
  d[i] = Math.round(d[i] + (c[0] - d[i]) * a);
  d[i + 1] = Math.round(d[i + 1] + (c[1] - d[i + 1]) * a);
  d[i + 2] = Math.round(d[i + 2] + (c[2] - d[i + 2]) * a);
}

function clamp01(v: number): number {
  return Math.max(0, Math.min(1, v));
}

/** '#rrggbb' or '#rgb' to RGB (anything else: black). */
export function parseColor(s: string): Rgb {
  const m6 = /^#([0-9a-f]{6})$/i.exec(s);
  if (m6) {
    const v = Number.parseInt(m6[1], 16);
    return [(v >> 16) & 255, (v >> 8) & 255, v & 255];
  }
  const m3 = /^#([0-9a-f]{3})$/i.exec(s);
  if (m3) return [...m3[1]].map((h) => Number.parseInt(h + h, 16)) as Rgb;
  return [0, 0, 0];
}
