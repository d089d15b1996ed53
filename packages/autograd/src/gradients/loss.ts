/**
 * The fused cross-entropy's gradient (@axon/tensor's ops/softmax_cross_entropy.ts): softmax −
 * onehot, scaled by dy, in one op. The target (class indices) has none.
 */
import { kernels, softmaxCrossEntropyGrad } from '@axon/tensor';
import { registerGradient } from '../registry';

registerGradient<kernels.SoftmaxCrossEntropyAttrs>(
  kernels.SoftmaxCrossEntropy,
  ([dy], { inputs: [logits, target], attrs }) => [softmaxCrossEntropyGrad(logits, target, dy, attrs), null],
);
