import { gather, kernels, pool2dBackward, pool2dWithAttrs, reshape } from '@axon/tensor';
import { registerGradient } from '../registry';

// Max/min: the gradient goes to each window's recorded winner; avg: spread over the window. The
// indices output is integer and has no gradient.
registerGradient<kernels.Pool2DAttrs>(kernels.Pool2D, ([dy], { inputs: [x], outputs, attrs }) => {
  const inputShape: [number, number, number, number] = [x.shape[0], x.shape[1], x.shape[2], x.shape[3]];
  const { mode, kernel, stride, pad, countIncludePad } = attrs;
  const indices = mode === 'avg' ? null : outputs[1];
  return [pool2dBackward(dy, indices, { mode, kernel, stride, pad, countIncludePad, inputShape })];
});

// Pool2DBackward is linear in dy, and its adjoint is the forward again: for max/min, read the
// upstream gradient at each window's winner (a gather in the flattened plane); for avg, average
// pooling with the same window and divisor. Needed for second order.
registerGradient<kernels.Pool2DBackwardAttrs>(
  kernels.Pool2DBackward,
  ([g], { inputs: [dy, indices], attrs }) => {
    if (attrs.mode === 'avg') return [pool2dWithAttrs(g, attrs)];
    const [n, c, h, w] = attrs.inputShape;
    const flatIndex = reshape(indices, [n, c, indices.size / (n * c)]);
    const picked = gather(reshape(g, [n, c, h * w]), 2, flatIndex);
    return [reshape(picked, dy.shape), null];
  },
);
