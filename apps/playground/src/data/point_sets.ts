/**
 * The 2-D classification sets, generated in the page from a seed (nothing to download): noisy
 * XOR, two interleaved spirals and Gaussian blobs. They come from @axon/datasets' seeded
 * generators, so the same seed gives the same points in the page, in the tests and in Node.
 * Plain arrays rather than tensors: the trainer makes its tensors on whichever backend is active.
 */
import { blobs, spirals, type TensorDataset } from '@axon/datasets';

export type PointSetId = 'xor' | 'spirals' | 'blobs';

export const POINT_SETS: readonly { id: PointSetId; label: string }[] = [
  { id: 'xor', label: 'XOR' },
  { id: 'spirals', label: 'Two spirals' },
  { id: 'blobs', label: 'Blobs (3 classes)' },
];

/** n points in the plane: x is [n, 2] row-major, y their classes 0 .. classes - 1. */
export interface PointSet {
  kind: 'points';
  id: PointSetId;
  x: Float32Array;
  y: Int32Array;
  classes: number;
  /** The square [-extent, extent]² that holds every point with a margin: what the boundary covers. */
  extent: number;
}

/** The XOR clusters: centers at (±1, ±1); the class is 1 where the signs differ. */
const XOR_CENTERS = [
  [-1, -1],
  [1, 1],
  [-1, 1],
  [1, -1],
];

export function generatePointSet(id: PointSetId, seed: number): PointSet {
  let ds: TensorDataset;
  let classes: number;
  let relabel: (c: number) => number = (c) => c;
  switch (id) {
    case 'xor':
      ds = blobs({ n: 400, centers: XOR_CENTERS, std: 0.3, seed });
      classes = 2;
      relabel = (c) => (c >= 2 ? 1 : 0);
      break;
    case 'spirals':
      ds = spirals({ perClass: 150, classes: 2, noise: 0.15, seed });
      classes = 2;
      break;
    case 'blobs':
      ds = blobs({ n: 300, centers: 3, std: 0.8, box: [-3, 3], seed });
      classes = 3;
      break;
  }
  const x = Float32Array.from(ds.x.dataSync());
  const y = Int32Array.from(ds.y.dataSync(), relabel);
  ds.x.dispose();
  ds.y.dispose();
  let max = 0;
  for (const v of x) max = Math.max(max, Math.abs(v));
  return { kind: 'points', id, x, y, classes, extent: Math.ceil(max * 11) / 10 };
}
