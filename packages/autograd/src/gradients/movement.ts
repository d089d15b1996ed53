/**
 * Gradients of the movement kernels. Each is the kernel's adjoint: Slice and Pad undo each other,
 * Concat and Split (the pseudo-kernel `split` records: one node for all its pieces) swap, Gather
 * and ScatterAdd swap. Index inputs get no gradient.
 */
import {
  concat,
  gather,
  kernels,
  pad,
  reshape,
  SplitComposite,
  scatterAdd,
  slice,
  split,
  type Tensor,
  unsqueeze,
  zeros,
} from '@axon/tensor';
import { registerGradient } from '../registry';

/** `[0, 0]` pads for every dim of `shape` except `dim`, which gets `pair`. */
function padsOn(shape: readonly number[], dim: number, pair: [number, number]): [number, number][] {
  return shape.map((_, d) => (d === dim ? pair : [0, 0]));
}

registerGradient<kernels.SliceAttrs>(kernels.Slice, ([dy], { inputs: [x], attrs }) => {
  const { begin, step } = attrs;
  let g = dy;
  // A stepped dim is made dense again: each entry followed by step - 1 zeros (pad a new size-1
  // dim after it, then merge the two).
  for (let d = 0; d < step.length; d++) {
    const s = step[d];
    if (s === 1) continue;
    const n = g.shape[d];
    const widened = unsqueeze(g, d + 1);
    const spread = pad(widened, padsOn(widened.shape, d + 1, [0, s - 1]));
    g = reshape(
      spread,
      g.shape.map((m, k) => (k === d ? n * s : m)),
    );
  }
  // Place the dense block at `begin`. The last step's trailing zeros may overhang the end of x;
  // a negative pad crops them.
  return [
    pad(
      g,
      x.shape.map((m, d): [number, number] => [begin[d], m - begin[d] - g.shape[d]]),
    ),
  ];
});

// A piece nobody used has a zero gradient already (the graph fills it in), so this is one concat.
registerGradient<{ axis: number }>(SplitComposite, (dys, { attrs }) => [concat(dys, attrs.axis)]);

registerGradient<kernels.ConcatAttrs>(kernels.Concat, ([dy], { inputs, attrs }) =>
  split(
    dy,
    inputs.map((x) => x.shape[attrs.axis]),
    attrs.axis,
  ),
);

registerGradient<kernels.PadAttrs>(kernels.Pad, ([dy], { inputs: [x], attrs }) => {
  const starts = attrs.pads.map(([before]) => before);
  return [
    slice(
      dy,
      starts,
      starts.map((b, d) => b + x.shape[d]),
    ),
  ];
});

registerGradient<kernels.GatherAttrs>(kernels.Gather, ([dy], { inputs: [x, index], attrs }) => [
  scatterAdd(zeros(x.shape, dy.dtype), attrs.axis, index, dy),
  null,
]);

registerGradient<kernels.ScatterAddAttrs>(kernels.ScatterAdd, ([dy], { inputs: [src, index], attrs }) => {
  let dsrc: Tensor = gather(dy, attrs.axis, index);
  // src may be larger than the index; the part the index does not cover had no effect.
  if (src.shape.some((n, d) => n !== index.shape[d])) {
    dsrc = pad(
      dsrc,
      src.shape.map((n, d): [number, number] => [0, n - index.shape[d]]),
    );
  }
  return [dsrc, null];
});
