/**
 * What every loss shares: the `reduction` option and the checks on its operands. The losses
 * themselves live in loss_*.ts and are re-exported from losses.ts.
 */
import { isFloat } from '../dtype';
import { DTypeError, fmtShape, ShapeError, ValueError } from '../errors';
import { broadcastShapes, shapesEqual } from '../shape';
import type { Tensor } from '../tensor';
import { cast } from './elementwise';
import { mean, sum } from './reduce';
import { assertTensor, describe } from './util';

export type Reduction = 'none' | 'mean' | 'sum';

export function checkReduction<R extends string>(name: string, reduction: unknown, allowed: readonly R[]): R {
  if (!allowed.includes(reduction as R)) {
    const list = allowed.map((r) => `'${r}'`).join(', ');
    throw new ValueError(`${name}: reduction must be one of ${list}, got ${describeValue(reduction)}`);
  }
  return reduction as R;
}

/** 'none' keeps the per-element losses, 'sum' adds them, 'mean' averages over all of them. */
export function reduceLoss(loss: Tensor, reduction: Reduction): Tensor {
  if (reduction === 'none') return loss;
  return reduction === 'sum' ? sum(loss) : mean(loss);
}

/** The input of a loss: a live float tensor. */
export function floatInput(name: string, x: unknown, label: string): Tensor {
  const t = assertTensor(name, x, label);
  if (!isFloat(t.dtype))
    throw new DTypeError(`${name}: expected '${label}' to be float32 or float64, got ${t.dtype}`);
  return t;
}

/** A numeric (non-bool) tensor with exactly `shape`, cast to `dtype`. */
export function sameShapeAs(
  name: string,
  x: unknown,
  label: string,
  shape: readonly number[],
  dtype: Tensor['dtype'],
) {
  const t = assertTensor(name, x, label);
  if (t.dtype === 'bool') throw new DTypeError(`${name}: expected '${label}' to be float or int32, got bool`);
  if (!shapesEqual(t.shape, shape)) {
    throw new ShapeError(
      `${name}: expected '${label}' of shape ${fmtShape(shape)}, got ${fmtShape(t.shape)}`,
    );
  }
  return cast(t, dtype);
}

/** An optional float tensor that must broadcast to `shape` without growing it; cast to `dtype`. */
export function broadcastWeight(
  name: string,
  w: unknown,
  label: string,
  shape: readonly number[],
  dtype: Tensor['dtype'],
): Tensor | null {
  if (w === undefined || w === null) return null;
  const t = floatInput(name, w, label);
  const grown = () =>
    new ShapeError(
      `${name}: expected '${label}' to broadcast to ${fmtShape(shape)}, got ${fmtShape(t.shape)}`,
    );
  let out: number[];
  try {
    out = broadcastShapes(name, t.shape, shape);
  } catch {
    throw grown();
  }
  if (!shapesEqual(out, shape)) throw grown();
  return cast(t, dtype);
}

/** Reads a plain options object (undefined means all defaults). */
export function options<T extends object>(name: string, opts: T | undefined): Partial<T> {
  if (opts === undefined || opts === null) return {};
  if (typeof opts !== 'object' || Array.isArray(opts)) {
    throw new ValueError(`${name}: expected an options object, got ${describe(opts)}`);
  }
  return opts;
}

function describeValue(v: unknown): string {
  return typeof v === 'string' ? `'${v}'` : String(v);
}
