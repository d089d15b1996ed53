/**
 * The decision boundary of a 2-D classifier: predictions on a grid of points covering the data,
 * painted as a picture, with the data points on top. The grid and the colouring are pure
 * functions (unit-tested); only `drawBoundary` touches a canvas.
 */

/** Class colours (light for the regions, full for the points), colour-blind friendly. */
export const CLASS_COLORS: readonly [number, number, number][] = [
  [31, 119, 180],
  [255, 127, 14],
  [44, 160, 44],
  [214, 39, 40],
];

/**
 * The centres of a res × res grid over [-extent, extent]², as x [res², 2] row-major, top row first
 * (y = +extent at the top, as on screen).
 */
export function gridPoints(res: number, extent: number): Float32Array {
  const out = new Float32Array(res * res * 2);
  for (let r = 0; r < res; r++) {
    for (let c = 0; c < res; c++) {
      const k = 2 * (r * res + c);
      out[k] = -extent + ((c + 0.5) / res) * 2 * extent;
      out[k + 1] = extent - ((r + 0.5) / res) * 2 * extent;
    }
  }
  return out;
}

/**
 * RGBA pixels (res × res) for class probabilities probs [res², classes]: each cell takes its most
 * likely class's colour, faded towards white as the model is less sure (a 50/50 cell is white).
 */
export function boundaryPixels(
  probs: Float32Array,
  classes: number,
  res: number,
): Uint8ClampedArray<ArrayBuffer> {
  const px = new Uint8ClampedArray(res * res * 4);
  for (let i = 0; i < res * res; i++) {
    let best = 0;
    for (let k = 1; k < classes; k++) if (probs[i * classes + k] > probs[i * classes + best]) best = k;
    const p = probs[i * classes + best];
    // Confidence 1/classes (a tie) → 0, certainty → 1; at most 60% colour so the points stand out.
    const confidence = classes > 1 ? (p - 1 / classes) / (1 - 1 / classes) : 1;
    const a = 0.6 * Math.max(0, Math.min(1, confidence));
    const color = CLASS_COLORS[best % CLASS_COLORS.length];
    for (let ch = 0; ch < 3; ch++) px[i * 4 + ch] = Math.round(255 + (color[ch] - 255) * a);
    px[i * 4 + 3] = 255;
  }
  return px;
}

/** Paints the boundary (when there are probabilities) and the points, scaled to the canvas. */
export function drawBoundary(
  canvas: HTMLCanvasElement,
  points: { x: Float32Array; y: Int32Array; extent: number },
  grid: { probs: Float32Array; classes: number; res: number } | null,
): void {
  const ctx = canvas.getContext('2d');
  if (!ctx) return;
  const { width, height } = canvas;
  ctx.fillStyle = '#fff';
  ctx.fillRect(0, 0, width, height);
  if (grid) {
    const img = new ImageData(boundaryPixels(grid.probs, grid.classes, grid.res), grid.res, grid.res);
    const off = new OffscreenCanvas(grid.res, grid.res);
    off.getContext('2d')?.putImageData(img, 0, 0);
    ctx.imageSmoothingEnabled = true;
    ctx.drawImage(off, 0, 0, width, height);
  }
  const { x, y, extent } = points;
  for (let i = 0; i < y.length; i++) {
    const px = ((x[2 * i] + extent) / (2 * extent)) * width;
    const py = ((extent - x[2 * i + 1]) / (2 * extent)) * height;
    const color = CLASS_COLORS[y[i] % CLASS_COLORS.length];
    ctx.beginPath();
    ctx.arc(px, py, 3.5, 0, 2 * Math.PI);
    ctx.fillStyle = `rgb(${color.join(',')})`;
    ctx.fill();
    ctx.lineWidth = 1;
    ctx.strokeStyle = '#fff';
    ctx.stroke();
  }
}
