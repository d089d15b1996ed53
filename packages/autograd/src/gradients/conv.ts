import { conv2dBackpropFilter, conv2dBackpropInput, conv2dWithAttrs, kernels } from '@axon/tensor';
import { registerGradient } from '../registry';

/** The Conv2D attrs alone, without the extra shape a backprop kernel carries. */
function convAttrs(a: kernels.Conv2DAttrs): kernels.Conv2DAttrs {
  return { stride: a.stride, pad: a.pad, dilation: a.dilation, groups: a.groups };
}

// y = conv(x, w) is linear in each argument; its two backprop kernels are exactly the adjoints.
// An input that wants no gradient (a first layer's images) skips its backprop kernel.
registerGradient<kernels.Conv2DAttrs>(kernels.Conv2D, ([dy], { inputs: [x, w], attrs, needsGrad }) => [
  needsGrad?.[0] === false
    ? null
    : conv2dBackpropInput(dy, w, {
        ...convAttrs(attrs),
        inputShape: [x.shape[0], x.shape[1], x.shape[2], x.shape[3]],
      }),
  needsGrad?.[1] === false
    ? null
    : conv2dBackpropFilter(x, dy, {
        ...convAttrs(attrs),
        filterShape: [w.shape[0], w.shape[1], w.shape[2], w.shape[3]],
      }),
]);

/*
 * z = BackpropInput(d, w) (the forward of convTranspose2d) is conv's adjoint: with conv(x, w) = A_w x,
 * z = A_wᵀ d. So for an upstream gradient g (shaped like z):
 * - dL/dd = A_w g = conv(g, w), with the same attrs; its shape is d's, since the attrs were chosen
 *   so that conv maps z's shape onto d's;
 * - z[n,c,i,j] = Σ d[n,o,p,q] · w[o,c,u,v] over the taps where conv reads (i, j) for (p, q), so
 *   dL/dw[o,c,u,v] = Σ g[n,c,i,j] · d[n,o,p,q] over the same taps: that is BackpropFilter with g in
 *   the role of conv's input and d in the role of its output gradient.
 */
registerGradient<kernels.Conv2DBackpropInputAttrs>(
  kernels.Conv2DBackpropInput,
  ([g], { inputs: [d, w], attrs }) => [
    conv2dWithAttrs(g, w, convAttrs(attrs)),
    conv2dBackpropFilter(g, d, {
      ...convAttrs(attrs),
      filterShape: [w.shape[0], w.shape[1], w.shape[2], w.shape[3]],
    }),
  ],
);

/*
 * dW = BackpropFilter(x, dy) is bilinear: Σ over the taps of x · dy. For an upstream gradient g
 * (shaped like w), ⟨g, dW⟩ = ⟨conv(x, g), dy⟩ = ⟨x, BackpropInput(dy, g)⟩, so those are the two
 * gradients. Needed for second order (the gradient of a conv's weight gradient).
 */
registerGradient<kernels.Conv2DBackpropFilterAttrs>(
  kernels.Conv2DBackpropFilter,
  ([g], { inputs: [x, dy], attrs }) => [
    conv2dBackpropInput(dy, g, {
      ...convAttrs(attrs),
      inputShape: [x.shape[0], x.shape[1], x.shape[2], x.shape[3]],
    }),
    conv2dWithAttrs(x, g, convAttrs(attrs)),
  ],
);
