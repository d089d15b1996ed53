import { kernels, resizeBackward, upsample } from '@axon/tensor';
import { registerGradient } from '../registry';

// Resize is linear in x; ResizeBackward is its adjoint (each output's gradient goes back to the
// pixels it was interpolated from, with the same weights).
registerGradient<kernels.ResizeAttrs>(kernels.Resize, ([dy], { inputs: [x], attrs }) => {
  const inputShape: [number, number, number, number] = [x.shape[0], x.shape[1], x.shape[2], x.shape[3]];
  return [
    resizeBackward(dy, { mode: attrs.mode, size: attrs.size, alignCorners: attrs.alignCorners, inputShape }),
  ];
});

// And the adjoint of ResizeBackward is Resize itself (needed for second order).
registerGradient<kernels.ResizeBackwardAttrs>(kernels.ResizeBackward, ([g], { attrs }) => [
  upsample(g, {
    mode: attrs.mode,
    size: attrs.size,
    alignCorners: attrs.mode === 'bilinear' && attrs.alignCorners,
  }),
]);
