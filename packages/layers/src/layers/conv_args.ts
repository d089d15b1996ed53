/**
 * Argument checks and helpers shared by the core layers (linear, conv, pooling, ...). Not part of
 * the public API: index.ts does not re-export this file.
 */
import { fmtShape, type Pair, reshape, ShapeError, Tensor, uniform, ValueError } from '@axon/tensor';

/** A readable form of a value for an error message. */
export function show(v: unknown): string {
  if (v === undefined) return 'undefined';
  if (Array.isArray(v)) return `[${v.map(show).join(', ')}]`;
  try {
    return JSON.stringify(v) ?? String(v);
  } catch {
    return String(v);
  }
}

export function checkTensor(layer: string, x: unknown, what = 'input'): Tensor {
  if (!(x instanceof Tensor)) {
    const kind = x === null || typeof x !== 'object' ? show(x) : (x.constructor?.name ?? 'an object');
    throw new ValueError(`${layer}: expected ${what} to be a Tensor, got ${kind}`);
  }
  if (x.isDisposed) throw new ValueError(`${layer}: ${what} ${fmtShape(x.shape)} has been disposed`);
  return x;
}

/** An integer >= min. */
export function checkInt(layer: string, what: string, v: unknown, min: number): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min) {
    throw new ValueError(`${layer}: expected ${what} to be an integer >= ${min}, got ${show(v)}`);
  }
  return v;
}

/** A finite number. */
export function checkNumber(layer: string, what: string, v: unknown): number {
  if (typeof v !== 'number' || !Number.isFinite(v)) {
    throw new ValueError(`${layer}: expected ${what} to be a finite number, got ${show(v)}`);
  }
  return v;
}

export function checkBool(layer: string, what: string, v: unknown): boolean {
  if (typeof v !== 'boolean')
    throw new ValueError(`${layer}: expected ${what} to be a boolean, got ${show(v)}`);
  return v;
}

/** A probability in [0, 1]. */
export function checkProbability(layer: string, what: string, v: unknown): number {
  if (typeof v !== 'number' || !(v >= 0 && v <= 1)) {
    throw new ValueError(`${layer}: expected ${what} to be a probability in [0, 1], got ${show(v)}`);
  }
  return v;
}

/** torch's `int or (int, int)`: checked, and kept in the form given (for config()). */
export function checkPair(layer: string, what: string, v: unknown, min: number): Pair {
  const p = typeof v === 'number' ? [v, v] : v;
  if (
    !Array.isArray(p) ||
    p.length !== 2 ||
    !p.every((n) => typeof n === 'number' && Number.isInteger(n) && n >= min)
  ) {
    throw new ValueError(
      `${layer}: expected ${what} to be an integer >= ${min} or a pair of them, got ${show(v)}`,
    );
  }
  return typeof v === 'number' ? v : [p[0], p[1]];
}

export function pairValues(p: Pair): [number, number] {
  return typeof p === 'number' ? [p, p] : [p[0], p[1]];
}

/** JSON of a pair (a number stays a number). */
export function pairJson(p: Pair): number | [number, number] {
  return typeof p === 'number' ? p : [p[0], p[1]];
}

/**
 * Runs `fn` on a batched image: a [C, H, W] input (torch's unbatched form) gets a batch dim of 1
 * that is dropped again from the result. Any other rank than 3 or 4 is a ShapeError naming the
 * layer and `expected` (e.g. '[N, 3, H, W]').
 */
export function withBatch(layer: string, x: Tensor, expected: string, fn: (x4: Tensor) => Tensor): Tensor {
  if (x.rank === 4) return fn(x);
  if (x.rank === 3) {
    const y = fn(reshape(x, [1, ...x.shape]));
    return reshape(y, y.shape.slice(1));
  }
  throw new ShapeError(
    `${layer}: expected input ${expected} (or unbatched [C, H, W]), got ${fmtShape(x.shape)}`,
  );
}

/** U(−bound, bound), torch's default for biases (bound = 1/√fanIn, 0 when fanIn is 0). */
export function fanInUniform(shape: readonly number[], fanIn: number): Tensor {
  const bound = fanIn > 0 ? 1 / Math.sqrt(fanIn) : 0;
  return uniform(shape, -bound, bound);
}
