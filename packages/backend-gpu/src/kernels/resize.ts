import { type KernelFunc, kernels } from '@axon/tensor';
import type { GpuBackend } from '../backend';
import { indexCode, kernelSource, lit } from '../codegen';

/*
 * Resize reads, per axis, the source index i0 of each output index d, its neighbour i1 and the
 * weight lambda of i1 (the CPU kernel's axis tables). Here they are computed in the kernel from d,
 * in integer arithmetic on floats wherever the CPU kernel's real-valued formula has a rational
 * value: nearest is floor(d · in / out); bilinear's source coordinate is d · (in − 1) / (out − 1)
 * with alignCorners, else ((2d + 1) · in − out) / (2 · out) clamped at 0. Its floor and fraction
 * then come from an exact integer numerator, so lambda has float32's full accuracy.
 */

type Mode = kernels.ResizeAttrs['mode'];

/**
 * Statements giving `a_<v>` (i0), `b_<v>` (i1) and `l_<v>` (lambda) of the output index held in
 * the float variable `d` along an axis of `inSize` → `outSize`.
 */
function axisCode(
  v: string,
  d: string,
  mode: Mode,
  inSize: number,
  outSize: number,
  alignCorners: boolean,
): string {
  const L = lit;
  const last = L(inSize - 1);
  if (mode === 'nearest') {
    return `const a_${v} = Math.min(Math.floor((${d} * ${L(inSize)} + 0.5) / ${L(outSize)}), ${last});
  const b_${v} = a_${v};
  const l_${v} = 0.0;`;
  }
  let a: string;
  let l: string;
  if (alignCorners && (inSize === 1 || outSize === 1)) {
    // the scale is 0: every output reads the first pixel
    a = '0.0';
    l = '0.0';
  } else if (alignCorners) {
    const den = L(outSize - 1);
    return `const t_${v} = ${d} * ${L(inSize - 1)};
  const a_${v} = Math.min(Math.floor((t_${v} + 0.5) / ${den}), ${last});
  const b_${v} = a_${v} < ${last} ? a_${v} + 1.0 : a_${v};
  const l_${v} = (t_${v} - a_${v} * ${den}) / ${den};`;
  } else {
    const den = L(2 * outSize);
    return `const t_${v} = Math.max((2.0 * ${d} + 1.0) * ${L(inSize)} - ${L(outSize)}, 0.0);
  const a_${v} = Math.min(Math.floor((t_${v} + 0.5) / ${den}), ${last});
  const b_${v} = a_${v} < ${last} ? a_${v} + 1.0 : a_${v};
  const l_${v} = (t_${v} - a_${v} * ${den}) / ${den};`;
  }
  return `const a_${v} = ${a};
  const b_${v} = a_${v} < ${last} ? a_${v} + 1.0 : a_${v};
  const l_${v} = ${l};`;
}

export const resizeKernel: KernelFunc<kernels.ResizeAttrs, GpuBackend> = ({
  inputs: [x],
  attrs,
  backend,
}) => {
  const [n, c, h, w] = x.shape;
  const [oH, oW] = attrs.size;
  const { mode, alignCorners } = attrs;
  const L = lit;
  const read =
    mode === 'nearest'
      ? 'return x[base + a_r * W + a_c];'
      : `const r0 = base + a_r * W;
  const r1 = base + b_r * W;
  return (1.0 - l_r) * ((1.0 - l_c) * x[r0 + a_c] + l_c * x[r0 + b_c]) + l_r * ((1.0 - l_c) * x[r1 + a_c] + l_c * x[r1 + b_c]);`;
  const body = `${indexCode([n * c, oH, oW])}
  const W = ${L(w)};
  const base = c0 * ${L(h * w)};
  ${axisCode('r', 'c1', mode, h, oH, alignCorners)}
  ${axisCode('c', 'c2', mode, w, oW, alignCorners)}
  ${read}`;
  return backend.run({ source: kernelSource(['x'], body) }, [x], [n, c, oH, oW], x.dtype);
};

/**
 * How many consecutive output indices along an axis can read one input index, and the first
 * one worth trying, as code: `lo` gives a start at or below the first reader (never below 0) and
 * the count covers every reader from there. Each candidate is checked exactly in the kernel, so
 * these only need to be safe.
 * - nearest: the readers of i are d in [ceil(i · out / in), ceil((i + 1) · out / in)), at most
 *   ceil(out / in) of them.
 * - bilinear: the readers of i are the d whose source coordinate lies in [i − 1, i + 1) (i0 = i or
 *   i1 = i), plus those clamped onto the last pixel; the coordinate grows by `scale` per d, so at
 *   most 2 / scale + 1 of them, from a start found by inverting the coordinate (taken 2 lower for
 *   safety against rounding).
 */
function readers(
  i: string,
  mode: Mode,
  inSize: number,
  outSize: number,
  alignCorners: boolean,
): { lo: string; count: number } {
  const L = lit;
  if (mode === 'nearest') {
    return {
      lo: `Math.floor((${i} * ${L(outSize)} + ${L(inSize - 1)} + 0.5) / ${L(inSize)})`,
      count: Math.min(outSize, Math.ceil(outSize / inSize)),
    };
  }
  if (alignCorners && (inSize === 1 || outSize === 1)) return { lo: '0.0', count: outSize };
  if (alignCorners) {
    // d = src · (out − 1) / (in − 1)
    const scale = (inSize - 1) / (outSize - 1);
    return {
      lo: `Math.max(Math.floor((${i} - 1.0) * ${L(outSize - 1)} / ${L(inSize - 1)}) - 2.0, 0.0)`,
      count: Math.min(outSize, Math.ceil(2 / scale) + 4),
    };
  }
  // src = (d + 0.5) · in / out − 0.5  ⇔  d = ((src + 0.5) · out) / in − 0.5
  const scale = inSize / outSize;
  return {
    lo: `Math.max(Math.floor(((${i} - 0.5) * ${L(outSize)}) / ${L(inSize)} - 0.5) - 2.0, 0.0)`,
    count: Math.min(outSize, Math.ceil(2 / scale) + 4),
  };
}

/**
 * The adjoint of Resize, one thread per input pixel: it loops over the output pixels that can
 * read it (a bounded range per axis, see `readers`), recomputes each one's axis entries, and adds
 * dy times the weight this pixel had in it.
 */
export const resizeBackwardKernel: KernelFunc<kernels.ResizeBackwardAttrs, GpuBackend> = ({
  inputs: [dy],
  attrs,
  backend,
}) => {
  const [n, c, h, w] = attrs.inputShape;
  const [oH, oW] = attrs.size;
  const { mode, alignCorners } = attrs;
  const L = lit;
  const rows = readers('c1', mode, h, oH, alignCorners);
  const cols = readers('c2', mode, w, oW, alignCorners);
  // The weight of this pixel in an output's row (or column) entry: i0 takes 1 − lambda, i1 lambda.
  const weight = (v: string, self: string) =>
    `const wt_${v} = (a_${v} == ${self} ? 1.0 - l_${v} : 0.0) + (b_${v} == ${self} ? l_${v} : 0.0);`;
  const body = `${indexCode([n * c, h, w])}
  const dyBase = c0 * ${L(oH * oW)};
  const ohLo = ${rows.lo};
  const owLo = ${cols.lo};
  let acc = 0.0;
  for (let jh = 0; jh < ${rows.count}; jh++) {
    const oh = ohLo + jh;
    ${axisCode('r', 'oh', mode, h, oH, alignCorners)}
    ${weight('r', 'c1')}
    if (oh < ${L(oH)} && (a_r == c1 || b_r == c1)) {
      let row = 0.0;
      for (let jw = 0; jw < ${cols.count}; jw++) {
        const ow = owLo + jw;
        ${axisCode('c', 'ow', mode, w, oW, alignCorners)}
        ${weight('c', 'c2')}
        if (ow < ${L(oW)} && (a_c == c2 || b_c == c2)) {
          row += dy[dyBase + oh * ${L(oW)} + ow] * wt_c;
        }
      }
      acc += row * wt_r;
    }
  }
  return acc;`;
  return backend.run(
    { source: kernelSource(['dy'], body), loopMax: Math.max(rows.count, cols.count) },
    [dy],
    attrs.inputShape,
    dy.dtype,
  );
};

export const resizeConfig = { kernelName: kernels.Resize, kernelFunc: resizeKernel };
export const resizeBackwardConfig = { kernelName: kernels.ResizeBackward, kernelFunc: resizeBackwardKernel };
