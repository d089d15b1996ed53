/**
 * The input check every sequence family shares: token ids as an int32 [B, T] tensor. Embedding
 * would reject other dtypes too, but only after the model's own shape logic has run; checking
 * first gives one message naming the model and the expected layout.
 */
import { DTypeError, describeValue, fmtShape, ShapeError, Tensor, ValueError } from '@axon/tensor';

/** `x` is an int32 [B, T] tensor with T >= 1 (and T <= maxLength when given); returns it. */
export function checkTokens(owner: string, what: string, x: unknown, maxLength?: number): Tensor {
  if (!(x instanceof Tensor)) {
    throw new ValueError(
      `${owner}: expected ${what} to be an int32 Tensor [B, T] of token ids, got ${describeValue(x)}`,
    );
  }
  if (x.dtype !== 'int32') {
    throw new DTypeError(
      `${owner}: expected ${what} to be int32 token ids, got ${x.dtype} ${fmtShape(x.shape)}`,
    );
  }
  if (x.rank !== 2 || x.shape[1] < 1 || x.shape[0] < 1) {
    throw new ShapeError(
      `${owner}: expected ${what} of shape [B, T] (batch, time; B, T >= 1), got ${fmtShape(x.shape)}`,
    );
  }
  if (maxLength !== undefined && x.shape[1] > maxLength) {
    throw new ShapeError(
      `${owner}: expected ${what} [B, T] with T <= ${maxLength} (the block size), got ${fmtShape(x.shape)}`,
    );
  }
  return x;
}
