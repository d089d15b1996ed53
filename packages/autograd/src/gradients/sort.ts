/**
 * The gradient of Sort: values[..k..] = x[..indices[..k..]..], a gather along the axis, so dy goes
 * back by the adjoint, a scatter-add of dy to the indices. The indices output is int32 and has no
 * gradient. Built from public ops, so it runs on every backend and is itself differentiable.
 */
import { kernels, scatterAdd, zeros } from '@axon/tensor';
import { registerGradient } from '../registry';

registerGradient<kernels.SortAttrs>(kernels.Sort, ([dy], { inputs: [x], outputs: [, indices], attrs }) => [
  scatterAdd(zeros(x.shape, dy.dtype), attrs.axis, indices, dy),
]);
