import { kernels, matmul, permute, ReshapeView, reshape, type Tensor } from '@axon/tensor';
import { registerGradient } from '../registry';
import { unbroadcast } from './unbroadcast';

registerGradient<kernels.MatMulAttrs>(kernels.MatMul, ([dy], { inputs: [a, b], attrs, needsGrad }) => {
  const { transposeA: tA, transposeB: tB } = attrs;
  // Each side's product only when that side wants a gradient (a first layer's input does not).
  const da = needsGrad?.[0] === false ? null : gradA(dy, b, tA, tB);
  const db = needsGrad?.[1] === false ? null : gradB(dy, a, tA, tB);
  // Batch dims that were broadcast are summed back.
  return [da && unbroadcast(da, a.shape), db && unbroadcast(db, b.shape)];
});

/** dL/dA of op(A)·op(B) for the four transpose cases. */
function gradA(dy: Tensor, b: Tensor, tA: boolean, tB: boolean): Tensor {
  if (!tA) return tB ? matmul(dy, b) : matmul(dy, b, { transposeB: true });
  return tB ? matmul(b, dy, { transposeA: true, transposeB: true }) : matmul(b, dy, { transposeB: true });
}

/** dL/dB of op(A)·op(B) for the four transpose cases. */
function gradB(dy: Tensor, a: Tensor, tA: boolean, tB: boolean): Tensor {
  if (!tB) return tA ? matmul(a, dy) : matmul(a, dy, { transposeA: true });
  return tA ? matmul(dy, a, { transposeA: true, transposeB: true }) : matmul(dy, a, { transposeA: true });
}

registerGradient(ReshapeView, ([dy], { inputs: [x] }) => [reshape(dy, x.shape)]);

registerGradient<kernels.TransposeAttrs>(kernels.Transpose, ([dy], { attrs }) => {
  const inverse = new Array<number>(attrs.perm.length);
  attrs.perm.forEach((p, i) => {
    inverse[p] = i;
  });
  return [permute(dy, inverse)];
});
