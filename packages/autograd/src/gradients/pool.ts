import { kernels, pool2dBackward } from '@axon/tensor';
import { registerGradient } from '../registry';

// Max/min: the gradient goes to each window's recorded winner; avg: spread over the window. The
// indices output is integer and has no gradient.
registerGradient<kernels.Pool2DAttrs>(kernels.Pool2D, ([dy], { inputs: [x], outputs, attrs }) => {
  const inputShape: [number, number, number, number] = [x.shape[0], x.shape[1], x.shape[2], x.shape[3]];
  const { mode, kernel, stride, pad, countIncludePad } = attrs;
  const indices = mode === 'avg' ? null : outputs[1];
  return [pool2dBackward(dy, indices, { mode, kernel, stride, pad, countIncludePad, inputShape })];
});
