import { div, eq, expand, kernels, mul, reshape, sum, type Tensor, where } from '@axon/tensor';
import { registerGradient } from '../registry';

/** The reduced tensor reshaped with its reduced axes kept as size 1, so it broadcasts against x. */
function keepDimsShape(t: Tensor, xShape: readonly number[], axes: readonly number[]): Tensor {
  return reshape(
    t,
    xShape.map((d, i) => (axes.includes(i) ? 1 : d)),
  );
}

registerGradient<kernels.ReduceAttrs>(kernels.Reduce, ([dy], { inputs: [x], outputs: [y], attrs }) => {
  const { axes } = attrs;
  const dyk = keepDimsShape(dy, x.shape, axes);
  switch (attrs.op) {
    case 'sum':
      return [expand(dyk, x.shape)];
    case 'prod':
      // Exact where x has no zeros (a zero makes this NaN, unlike torch's special case).
      return [div(mul(dyk, keepDimsShape(y, x.shape, axes)), x)];
    case 'max':
    case 'min': {
      // Ties share the gradient evenly (torch.amax / amin).
      const mask = eq(x, keepDimsShape(y, x.shape, axes));
      const count = sum(mask, axes, true);
      return [where(mask, div(dyk, count), 0)];
    }
    default:
      return [null];
  }
});
