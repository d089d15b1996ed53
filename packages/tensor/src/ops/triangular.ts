/**
 * torch.tril / torch.triu on the last two dims, as a `where` against a mask built from two
 * aranges (column - row compared with the diagonal). Nothing is copied by index, and the gradient
 * is Where's: dy passes where the mask keeps x and is zero elsewhere.
 */
import { fmtShape, ShapeError } from '../errors';
import type { Tensor } from '../tensor';
import { checkInteger } from '../validate';
import { arange, scalar } from './creation';
import { ge, le, sub, where } from './elementwise';
import { reshape } from './shape';
import { assertTensor, op } from './util';

function triangle(name: string, x: Tensor, diagonal: number, lower: boolean): Tensor {
  assertTensor(name, x);
  if (x.rank < 2) {
    throw new ShapeError(
      `${name}: expected x of rank >= 2 (a matrix or a batch of matrices), got shape ${fmtShape(x.shape)}`,
    );
  }
  checkInteger(name, 'diagonal', diagonal);
  const m = x.shape[x.rank - 2];
  const n = x.shape[x.rank - 1];
  // offset[i, j] = j - i: entry (i, j) lies on diagonal j - i.
  const offset = sub(arange(0, n, 1, 'int32'), reshape(arange(0, m, 1, 'int32'), [m, 1]));
  const keep = lower ? le(offset, diagonal) : ge(offset, diagonal);
  return where(keep, x, scalar(0, x.dtype));
}

/** The lower triangle: entries with j - i <= diagonal are kept, the rest set to 0. */
export const tril = op((x: Tensor, diagonal = 0): Tensor => triangle('tril', x, diagonal, true));

/** The upper triangle: entries with j - i >= diagonal are kept, the rest set to 0. */
export const triu = op((x: Tensor, diagonal = 0): Tensor => triangle('triu', x, diagonal, false));
