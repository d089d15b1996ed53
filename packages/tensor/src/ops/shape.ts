import { fmtShape, ShapeError, ValueError } from '../errors';
import { ENGINE } from '../global_engine';
import { Transpose } from '../kernels';
import { broadcastShapes, normalizeAxis, shapesEqual, sizeOf } from '../shape';
import type { Tensor } from '../tensor';
import { zeros } from './creation';
import { add } from './elementwise';
import { assertTensor, op, run } from './util';

/**
 * A view of `x` with another shape of the same size (no copy). One dimension may be -1, to be
 * inferred.
 */
export const reshape = op((x: Tensor, shape: readonly number[]): Tensor => {
  assertTensor('reshape', x);
  const out = resolveShape('reshape', x, shape);
  return ENGINE.makeView(x, out);
});

function resolveShape(name: string, x: Tensor, shape: readonly number[]): number[] {
  const out = [...shape];
  const unknown = out.indexOf(-1);
  if (out.some((d, i) => !Number.isInteger(d) || d < -1 || (d === -1 && i !== unknown))) {
    throw new ShapeError(`${name}: invalid target shape ${fmtShape(shape)}`);
  }
  if (unknown >= 0) {
    const known = out.reduce((n, d, i) => (i === unknown ? n : n * d), 1);
    if (known === 0 || x.size % known !== 0) {
      throw new ShapeError(
        `${name}: cannot reshape ${fmtShape(x.shape)} (size ${x.size}) into ${fmtShape(shape)}`,
      );
    }
    out[unknown] = x.size / known;
  }
  if (sizeOf(out) !== x.size) {
    throw new ShapeError(
      `${name}: cannot reshape ${fmtShape(x.shape)} (size ${x.size}) into ${fmtShape(shape)}`,
    );
  }
  return out;
}

/** Merges dims `startDim..endDim` (inclusive) into one. */
export const flatten = op((x: Tensor, startDim = 0, endDim = -1): Tensor => {
  assertTensor('flatten', x);
  if (x.rank === 0) return reshape(x, [1]);
  const s = normalizeAxis('flatten', startDim, x.rank);
  const e = normalizeAxis('flatten', endDim, x.rank);
  if (s > e) throw new ValueError(`flatten: startDim ${startDim} comes after endDim ${endDim}`);
  const merged = x.shape.slice(s, e + 1).reduce((n, d) => n * d, 1);
  return reshape(x, [...x.shape.slice(0, s), merged, ...x.shape.slice(e + 1)]);
});

/** Removes size-1 dims: the given ones (each must have size 1), or all of them. */
export const squeeze = op((x: Tensor, axes?: number | readonly number[]): Tensor => {
  assertTensor('squeeze', x);
  const list =
    axes === undefined
      ? null
      : (typeof axes === 'number' ? [axes] : axes).map((a) => normalizeAxis('squeeze', a, x.rank));
  for (const a of list ?? []) {
    if (x.shape[a] !== 1)
      throw new ShapeError(`squeeze: dim ${a} of ${fmtShape(x.shape)} has size ${x.shape[a]}, not 1`);
  }
  return reshape(
    x,
    x.shape.filter((d, i) => (list ? !list.includes(i) : d !== 1)),
  );
});

/** Inserts a size-1 dim at `axis` (which may equal the rank, or be negative as in torch). */
export const unsqueeze = op((x: Tensor, axis: number): Tensor => {
  assertTensor('unsqueeze', x);
  const a = normalizeAxis('unsqueeze', axis, x.rank + 1);
  return reshape(x, [...x.shape.slice(0, a), 1, ...x.shape.slice(a)]);
});

/** Broadcasts `x` to `shape` (-1 keeps a dim). The result is a new tensor, not a strided view. */
export const expand = op((x: Tensor, shape: readonly number[]): Tensor => {
  assertTensor('expand', x);
  const target = shape.map((d, i) => (d === -1 ? x.shape[i - (shape.length - x.rank)] : d));
  const out = broadcastShapes('expand', x.shape, target);
  if (!shapesEqual(out, target)) {
    throw new ShapeError(`expand: cannot expand ${fmtShape(x.shape)} to ${fmtShape(shape)}`);
  }
  if (shapesEqual(x.shape, target)) return x;
  // The zeros span only the axes x is broadcast along (x [32, 1, 1, 1] to [32, 64, 7, 7] adds
  // zeros [1, 64, 7, 7]): the sum has the full shape either way, and a full-size zeros tensor to
  // allocate and read cost more than the add (this is the gradient of every sum).
  const lead = target.length - x.rank;
  const span = target.map((d, i) => (i >= lead && x.shape[i - lead] === d ? 1 : d));
  return add(x, zeros(span, x.dtype));
});

/** Reorders dims: out.shape[i] = x.shape[dims[i]]. */
export const permute = op((x: Tensor, dims: readonly number[]): Tensor => {
  assertTensor('permute', x);
  const perm = dims.map((d) => normalizeAxis('permute', d, x.rank));
  if (perm.length !== x.rank || new Set(perm).size !== perm.length) {
    throw new ValueError(
      `permute: [${dims.join(', ')}] is not a permutation of the ${x.rank} dims of ${fmtShape(x.shape)}`,
    );
  }
  if (perm.every((p, i) => p === i)) return x;
  return run(Transpose, [x], { perm });
});

/** Swaps two dims (default: the last two, so a matrix is transposed). */
export const transpose = op((x: Tensor, dim0 = -2, dim1 = -1): Tensor => {
  assertTensor('transpose', x);
  if (x.rank < 2) return x;
  const a = normalizeAxis('transpose', dim0, x.rank);
  const b = normalizeAxis('transpose', dim1, x.rank);
  const perm = x.shape.map((_, i) => (i === a ? b : i === b ? a : i));
  return permute(x, perm);
});
