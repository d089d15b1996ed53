import { promoteTypes } from '../dtype';
import { DTypeError, fmtShape, ShapeError } from '../errors';
import { MatMul } from '../kernels';
import { broadcastShapes } from '../shape';
import type { Tensor } from '../tensor';
import { cast } from './elementwise';
import { squeeze, unsqueeze } from './shape';
import { assertTensor, op, run } from './util';

export interface MatMulOptions {
  transposeA?: boolean;
  transposeB?: boolean;
}

/**
 * Matrix product with torch.matmul's rules: 1-D operands are promoted to a row (a) or a column
 * (b) and that dim is dropped again; batch dims broadcast.
 */
export const matmul = op((a: Tensor, b: Tensor, options: MatMulOptions = {}): Tensor => {
  assertTensor('matmul', a, 'a');
  assertTensor('matmul', b, 'b');
  const { transposeA = false, transposeB = false } = options;
  const shapes = `${fmtShape(a.shape)}${transposeA ? 'ᵀ' : ''} @ ${fmtShape(b.shape)}${transposeB ? 'ᵀ' : ''}`;
  if (a.rank === 0 || b.rank === 0)
    throw new ShapeError(`matmul: both operands need at least one dimension, got ${shapes}`);
  if (a.dtype === 'bool' || b.dtype === 'bool')
    throw new DTypeError(`matmul: bool operands are not supported, got ${a.dtype} and ${b.dtype}`);
  const dtype = promoteTypes(a.dtype, b.dtype);
  let x = cast(a, dtype);
  let y = cast(b, dtype);
  const vecA = x.rank === 1;
  const vecB = y.rank === 1;
  if (vecA) x = unsqueeze(x, 0);
  if (vecB) y = unsqueeze(y, 1);
  const ka = x.shape[x.rank - (transposeA ? 2 : 1)];
  const kb = y.shape[y.rank - (transposeB ? 1 : 2)];
  if (ka !== kb) {
    throw new ShapeError(`matmul: inner dimensions differ: ${shapes} (${ka} vs ${kb})`);
  }
  const batchA = x.shape.slice(0, -2);
  const batchB = y.shape.slice(0, -2);
  try {
    broadcastShapes('matmul', batchA, batchB);
  } catch {
    throw new ShapeError(
      `matmul: batch dimensions ${fmtShape(batchA)} and ${fmtShape(batchB)} cannot be broadcast together: ${shapes}`,
    );
  }
  let out = run(MatMul, [x, y], { transposeA, transposeB });
  if (vecA) out = squeeze(out, out.rank - 2);
  if (vecB) out = squeeze(out, out.rank - 1);
  return out;
});

/** The inner product of two 1-D tensors. */
export const dot = op((a: Tensor, b: Tensor): Tensor => {
  assertTensor('dot', a, 'a');
  assertTensor('dot', b, 'b');
  if (a.rank !== 1 || b.rank !== 1)
    throw new ShapeError(`dot: expected two 1-D tensors, got ${fmtShape(a.shape)} and ${fmtShape(b.shape)}`);
  return matmul(a, b);
});
