/**
 * torch.masked_fill (out of place) as one `where(mask, value, x)`: the value is a 0-d tensor of
 * x's dtype, so the result keeps x's dtype and shape, and the gradient (Where's) reaches x where
 * the mask is false and a tensor value where it is true.
 */
import { fmtShape, ShapeError, ValueError } from '../errors';
import { broadcastShapes, shapesEqual } from '../shape';
import { Tensor } from '../tensor';
import { scalar } from './creation';
import { cast, where } from './elementwise';
import { assertDType, assertTensor, describe, op } from './util';

/** A copy of x with `value` wherever the bool `mask` (broadcast to x's shape) is true. */
export const maskedFill = op((x: Tensor, mask: Tensor, value: number | Tensor): Tensor => {
  assertTensor('maskedFill', x);
  assertTensor('maskedFill', mask, 'mask');
  assertDType('maskedFill', mask, ['bool'], 'mask');
  let v: Tensor;
  if (value instanceof Tensor) {
    assertTensor('maskedFill', value, 'value');
    if (value.rank !== 0) {
      throw new ShapeError(
        `maskedFill: expected value to be a number or a 0-d tensor, got shape ${fmtShape(value.shape)}`,
      );
    }
    v = cast(value, x.dtype);
  } else if (typeof value === 'number') v = scalar(value, x.dtype);
  else
    throw new ValueError(`maskedFill: expected value to be a number or a 0-d tensor, got ${describe(value)}`);
  let out: number[] | null = null;
  try {
    out = broadcastShapes('maskedFill', mask.shape, x.shape);
  } catch {
    out = null;
  }
  if (!out || !shapesEqual(out, x.shape)) {
    throw new ShapeError(
      `maskedFill: mask of shape ${fmtShape(mask.shape)} does not broadcast to x's shape ${fmtShape(x.shape)}`,
    );
  }
  return where(mask, v, x);
});
