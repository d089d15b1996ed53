import {
  checkNumber,
  checkPositiveInt,
  defaultGenerator,
  Generator,
  randomNormal,
  randomUnit,
  tensor,
  ValueError,
} from '@axon/tensor';
import { TensorDataset } from './dataset';

export interface SeedOptions {
  /** Seed for a private generator. Default: draw from `generator`, else the default generator (`manualSeed`). */
  seed?: number;
  generator?: Generator;
}

/** The four XOR points: x float32 [4, 2] (00, 01, 10, 11), y float32 [4, 1] (0, 1, 1, 0). */
export function xor(): TensorDataset {
  return new TensorDataset(
    tensor([
      [0, 0],
      [0, 1],
      [1, 0],
      [1, 1],
    ]),
    tensor([[0], [1], [1], [0]]),
  );
}

export interface SpiralsOptions extends SeedOptions {
  /** Points per class (default 100). */
  perClass?: number;
  /** Number of interleaved arms, one per class (default 2). */
  classes?: number;
  /** Standard deviation of the Gaussian noise added to each point's angle, in radians (default 0). */
  noise?: number;
}

/**
 * Interleaved spirals (the CS231n construction): for class j, point i has radius
 * r = i / (perClass - 1) and angle t = 4j + 4r (+ noise), at (r sin t, r cos t). x float32
 * [classes * perClass, 2], y int32 (class-major order). Deterministic given the seed.
 */
export function spirals(options: SpiralsOptions = {}): TensorDataset {
  const { perClass = 100, classes = 2, noise = 0 } = options;
  checkPositiveInt('spirals', 'perClass', perClass);
  checkPositiveInt('spirals', 'classes', classes);
  checkNumber('spirals', 'noise', noise, { min: 0 });
  const g = generatorOf('spirals', options);
  const n = perClass * classes;
  const { seed, offset } = g.take(2 * n);
  const x = new Float32Array(2 * n);
  const y = new Int32Array(n);
  for (let j = 0; j < classes; j++) {
    for (let i = 0; i < perClass; i++) {
      const k = j * perClass + i;
      const r = perClass === 1 ? 0 : i / (perClass - 1);
      const t = 4 * j + 4 * r + noise * randomNormal(seed, offset + 2 * k);
      x[2 * k] = r * Math.sin(t);
      x[2 * k + 1] = r * Math.cos(t);
      y[k] = j;
    }
  }
  return new TensorDataset(tensor(x, { shape: [n, 2] }), tensor(y, { dtype: 'int32' }));
}

export interface BlobsOptions extends SeedOptions {
  /** Number of points. */
  n: number;
  /** How many centers (drawn uniformly in `box` on each axis), or the centers themselves [k][features]. */
  centers: number | readonly (readonly number[])[];
  /** Standard deviation of each blob: one number, or one per center (default 1). */
  std?: number | readonly number[];
  /** Dimensions when `centers` is a count (default 2). */
  features?: number;
  /** The range of random centers (default [-10, 10]). */
  box?: readonly [number, number];
}

/**
 * Isotropic Gaussian blobs (as scikit-learn's make_blobs): point i belongs to blob i mod k, so
 * the classes are balanced. x float32 [n, features], y int32 [n]. Deterministic given the seed.
 */
export function blobs(options: BlobsOptions): TensorDataset {
  if (options === null || typeof options !== 'object') {
    throw new ValueError('blobs: expected options {n, centers, std?, seed?}');
  }
  const { n, centers, std = 1, box = [-10, 10] } = options;
  checkPositiveInt('blobs', 'n', n);
  const g = generatorOf('blobs', options);
  let points: number[][];
  let features: number;
  if (typeof centers === 'number') {
    checkPositiveInt('blobs', 'centers', centers);
    features = options.features ?? 2;
    checkPositiveInt('blobs', 'features', features);
    if (!(Number.isFinite(box[0]) && Number.isFinite(box[1]) && box[1] >= box[0])) {
      throw new ValueError(`blobs: box must be [low, high] with low <= high, got [${box.join(', ')}]`);
    }
    const { seed, offset } = g.take(centers * features);
    points = [];
    for (let c = 0; c < centers; c++) {
      const p: number[] = [];
      for (let f = 0; f < features; f++) {
        p.push(box[0] + (box[1] - box[0]) * randomUnit(seed, offset + c * features + f));
      }
      points.push(p);
    }
  } else if (Array.isArray(centers) && centers.length > 0) {
    features = centers[0].length;
    if (!(features >= 1)) throw new ValueError('blobs: each center needs at least one coordinate');
    centers.forEach((p, c) => {
      if (!Array.isArray(p) || p.length !== features || !p.every(Number.isFinite)) {
        throw new ValueError(
          `blobs: center ${c} must be ${features} finite numbers like center 0, got ${JSON.stringify(p)}`,
        );
      }
    });
    if (options.features !== undefined && options.features !== features) {
      throw new ValueError(`blobs: features is ${options.features} but the centers have ${features}`);
    }
    points = centers.map((p) => [...p]);
  } else {
    throw new ValueError(
      `blobs: centers must be a positive count or a non-empty array of points, got ${JSON.stringify(centers)}`,
    );
  }
  const k = points.length;
  const stds = typeof std === 'number' ? new Array<number>(k).fill(std) : [...std];
  if (stds.length !== k) {
    throw new ValueError(`blobs: std has ${stds.length} entries, expected one per center (${k})`);
  }
  for (const s of stds) checkNumber('blobs', 'std', s, { min: 0 });
  const { seed, offset } = g.take(2 * n * features);
  const x = new Float32Array(n * features);
  const y = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const c = i % k;
    y[i] = c;
    for (let f = 0; f < features; f++) {
      const at = i * features + f;
      x[at] = points[c][f] + stds[c] * randomNormal(seed, offset + 2 * at);
    }
  }
  return new TensorDataset(tensor(x, { shape: [n, features] }), tensor(y, { dtype: 'int32' }));
}

export interface SineWindowsOptions {
  /** Length of the series sin(step * t), t = 0 .. length - 1 (default 1000). */
  length?: number;
  /** Steps per input window (default 10). */
  window?: number;
  /** The step in radians between consecutive values (default 0.1). */
  step?: number;
}

/**
 * Next-value prediction on a sine wave: sample i is the window s[i .. i + window) of the series
 * s_t = sin(step * t) as x [window, 1], and the value after it, s[i + window], as y [1]. So x is
 * float32 [N, window, 1] and y [N, 1] with N = length - window (for a batch-first RNN).
 */
export function sineWindows(options: SineWindowsOptions = {}): TensorDataset {
  const { length = 1000, window = 10, step = 0.1 } = options;
  checkPositiveInt('sineWindows', 'length', length);
  checkPositiveInt('sineWindows', 'window', window);
  if (!Number.isFinite(step) || step <= 0) {
    throw new ValueError(`sineWindows: step must be a positive number, got ${step}`);
  }
  if (length <= window) {
    throw new ValueError(
      `sineWindows: length (${length}) must exceed window (${window}) to leave at least one sample`,
    );
  }
  const n = length - window;
  const s = new Float64Array(length);
  for (let t = 0; t < length; t++) s[t] = Math.sin(step * t);
  const x = new Float32Array(n * window);
  const y = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    for (let w = 0; w < window; w++) x[i * window + w] = s[i + w];
    y[i] = s[i + window];
  }
  return new TensorDataset(tensor(x, { shape: [n, window, 1] }), tensor(y, { shape: [n, 1] }));
}

function generatorOf(what: string, o: SeedOptions): Generator {
  if (o.seed !== undefined && o.generator !== undefined) {
    throw new ValueError(`${what}: pass either seed or generator, not both`);
  }
  if (o.generator !== undefined) {
    if (!(o.generator instanceof Generator)) throw new ValueError(`${what}: generator must be a Generator`);
    return o.generator;
  }
  if (o.seed !== undefined) {
    if (!Number.isInteger(o.seed)) throw new ValueError(`${what}: seed must be an integer, got ${o.seed}`);
    return new Generator(o.seed);
  }
  return defaultGenerator();
}
