import { describe, expect, it } from 'vitest';
import { boundaryPixels, CLASS_COLORS, gridPoints } from '../src/view/boundary';

describe('the boundary grid', () => {
  it('covers the square, top row first, cell centres', () => {
    const g = gridPoints(2, 1);
    expect(Array.from(g)).toEqual([-0.5, 0.5, 0.5, 0.5, -0.5, -0.5, 0.5, -0.5]);
    expect(gridPoints(48, 2).length).toBe(48 * 48 * 2);
  });

  it('paints the likeliest class, faded by doubt: white for a tie', () => {
    const px = boundaryPixels(Float32Array.from([1, 0, 0.5, 0.5, 0, 1]), 2, 1 + 0);
    // res 1 reads only the first cell: certain class 0 → 60% of its colour over white.
    expect(Array.from(px.subarray(0, 3))).toEqual(
      CLASS_COLORS[0].map((c) => Math.round(255 + (c - 255) * 0.6)),
    );
    const all = boundaryPixels(Float32Array.from([0.5, 0.5, 0.5, 0.5, 0, 1, 0, 1]), 2, 2);
    expect(Array.from(all.subarray(0, 4))).toEqual([255, 255, 255, 255]);
    expect(Array.from(all.subarray(8, 11))).toEqual(
      CLASS_COLORS[1].map((c) => Math.round(255 + (c - 255) * 0.6)),
    );
  });
});
