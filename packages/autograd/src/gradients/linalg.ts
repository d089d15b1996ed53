import { kernels, matmul, permute, ReshapeView, reshape, type Tensor } from '@axon/tensor';
import { registerGradient } from '../registry';
import { unbroadcast } from './unbroadcast';

registerGradient<kernels.MatMulAttrs>(kernels.MatMul, ([dy], { inputs: [a, b], attrs }) => {
  const { transposeA: tA, transposeB: tB } = attrs;
  let da: Tensor;
  let db: Tensor;
  if (!tA && !tB) {
    da = matmul(dy, b, { transposeB: true });
    db = matmul(a, dy, { transposeA: true });
  } else if (tA && !tB) {
    da = matmul(b, dy, { transposeB: true });
    db = matmul(a, dy);
  } else if (!tA && tB) {
    da = matmul(dy, b);
    db = matmul(dy, a, { transposeA: true });
  } else {
    da = matmul(b, dy, { transposeA: true, transposeB: true });
    db = matmul(dy, a, { transposeA: true, transposeB: true });
  }
  // Batch dims that were broadcast are summed back.
  return [unbroadcast(da, a.shape), unbroadcast(db, b.shape)];
});

registerGradient(ReshapeView, ([dy], { inputs: [x] }) => [reshape(dy, x.shape)]);

registerGradient<kernels.TransposeAttrs>(kernels.Transpose, ([dy], { attrs }) => {
  const inverse = new Array<number>(attrs.perm.length);
  attrs.perm.forEach((p, i) => {
    inverse[p] = i;
  });
  return [permute(dy, inverse)];
});
