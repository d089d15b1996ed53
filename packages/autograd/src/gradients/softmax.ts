/**
 * softmax's gradient from its output alone: dx = y·(dy − Σ dy·y) along the axis (the Jacobian
 * diag(y) − y yᵀ applied to dy). Registered for the pseudo-kernel `softmax` records, so the
 * forward's max, shift, exp, sum and division add no gradient work of their own.
 */
import { mul, SoftmaxComposite, sub, sum } from '@axon/tensor';
import { registerGradient } from '../registry';

registerGradient<{ axis: number }>(SoftmaxComposite, ([dy], { outputs: [y], attrs }) => [
  mul(y, sub(dy, sum(mul(dy, y), attrs.axis, true))),
]);
