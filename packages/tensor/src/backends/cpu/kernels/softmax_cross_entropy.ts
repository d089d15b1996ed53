import type { KernelFunc } from '../../../kernel_registry';
import {
  SoftmaxCrossEntropy,
  type SoftmaxCrossEntropyAttrs,
  SoftmaxCrossEntropyGrad,
} from '../../../kernels';
import type { CpuBackend } from '../backend';

/**
 * The fused softmax cross-entropy and its gradient (ops/softmax_cross_entropy.ts) for float32 and
 * float64 logits [N, C]: one pass per row in float64 — the max, then Σ exp(x − max) — rounded
 * once when stored. Rows are short (the classes), so plain JS loops; the win is the thirty-odd
 * kernel calls and graph nodes the composed loss costs, not the arithmetic.
 */

/** The max of the row of c values at `at`. */
function rowMax(x: ArrayLike<number>, at: number, c: number): number {
  let max = Number.NEGATIVE_INFINITY;
  for (let j = 0; j < c; j++) {
    const v = x[at + j];
    // NaN wins, as in torch's max: it then spreads to the row's loss and gradient.
    if (v > max || Number.isNaN(v)) max = v;
  }
  return max;
}

export const softmaxCrossEntropyKernel: KernelFunc<SoftmaxCrossEntropyAttrs, CpuBackend> = ({
  inputs: [logits, target],
  attrs,
  backend,
}) => {
  const [n, c] = logits.shape;
  const x = backend.values(logits);
  const t = backend.values(target);
  const perRow = attrs.reduction === 'none' ? backend.empty(logits.dtype, n) : null;
  let total = 0;
  for (let i = 0; i < n; i++) {
    let loss = 0;
    if (t[i] !== attrs.ignoreIndex) {
      const at = i * c;
      const max = rowMax(x, at, c);
      let sum = 0;
      for (let j = 0; j < c; j++) sum += Math.exp(x[at + j] - max);
      loss = Math.log(sum) + max - x[at + t[i]];
    }
    if (perRow) perRow[i] = loss;
    total += loss;
  }
  if (perRow) return backend.output(perRow, [n], logits.dtype);
  const out = backend.empty(logits.dtype, 1);
  out[0] = attrs.reduction === 'mean' ? total / attrs.count : total;
  return backend.output(out, [], logits.dtype);
};

export const softmaxCrossEntropyGradKernel: KernelFunc<SoftmaxCrossEntropyAttrs, CpuBackend> = ({
  inputs: [logits, target, dy],
  attrs,
  backend,
}) => {
  const [n, c] = logits.shape;
  const x = backend.values(logits);
  const t = backend.values(target);
  const g = backend.values(dy);
  const out = backend.empty(logits.dtype, n * c);
  const row = new Float64Array(c);
  for (let i = 0; i < n; i++) {
    const at = i * c;
    if (t[i] === attrs.ignoreIndex) {
      out.fill(0, at, at + c);
      continue;
    }
    const scale = attrs.reduction === 'none' ? g[i] : attrs.reduction === 'mean' ? g[0] / attrs.count : g[0];
    const max = rowMax(x, at, c);
    // exp(x − max) once per value, kept in a float64 row until the sum is known.
    let sum = 0;
    for (let j = 0; j < c; j++) {
      const e = Math.exp(x[at + j] - max);
      row[j] = e;
      sum += e;
    }
    const hit = t[i];
    for (let j = 0; j < c; j++) {
      const p = row[j] / sum;
      out[at + j] = (j === hit ? p - 1 : p) * scale;
    }
  }
  return backend.output(out, [n, c], logits.dtype);
};

export const softmaxCrossEntropyConfig = {
  kernelName: SoftmaxCrossEntropy,
  kernelFunc: softmaxCrossEntropyKernel,
};
export const softmaxCrossEntropyGradConfig = {
  kernelName: SoftmaxCrossEntropyGrad,
  kernelFunc: softmaxCrossEntropyGradKernel,
};
