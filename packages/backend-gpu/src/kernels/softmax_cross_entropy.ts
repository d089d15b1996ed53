import { type KernelFunc, kernels, type TensorInfo } from '@axon/tensor';
import type { GpuBackend } from '../backend';
import { forLoop, indexCode, kernelSource, LOOP_LIMIT, lit } from '../codegen';
import { reduceKernel } from './reduce';

/**
 * The fused cross-entropy of logits [N, C] against class indices [N] and its gradient
 * (@axon/tensor's ops/softmax_cross_entropy.ts), each one launch where the composed ops take a
 * dozen or more (max, shift, exp, sum, log, the one-hot pick, the reductions; the same again
 * backward). In a batch-64 MNIST MLP step the composed loss was a fifth to a third of the step
 * on headless-gl. One thread per row (forward) or per element (gradient) walks its row of C logits
 * for the max and Σ exp(x − max); C is a literal, so the loops have constant bounds (split in two
 * beyond LOOP_LIMIT, as the reductions' are).
 */

/** Statements that leave the row's max in `m` and Σ exp(x − m) in `s`; the row starts at `row`. */
function rowStats(c: number): string {
  const max = forLoop('j', c);
  const sum = forLoop('j', c);
  return [
    'let m = -1.0 / 0.0;',
    `${max.open}m = Math.max(m, x[row + j]);\n  ${max.close}`,
    'let s = 0.0;',
    `${sum.open}s = s + Math.exp(x[row + j] - m);\n  ${sum.close}`,
  ].join('\n  ');
}

export const softmaxCrossEntropyKernel: KernelFunc<kernels.SoftmaxCrossEntropyAttrs, GpuBackend> = ({
  inputs: [logits, target],
  attrs,
  backend,
}) => {
  const [n, c] = logits.shape;
  const body = [
    'const r = this.thread.x;',
    `if (Math.abs(t[r] - ${lit(attrs.ignoreIndex)}) < 0.5) { return 0.0; }`,
    `const row = r * ${lit(c)};`,
    rowStats(c),
    'return Math.log(s) + m - x[row + Math.floor(t[r] + 0.5)];',
  ].join('\n  ');
  const rows = backend.run(
    { source: kernelSource(['x', 't'], body), loopMax: Math.min(c, LOOP_LIMIT) },
    [logits, target],
    [n],
    logits.dtype,
  );
  if (attrs.reduction === 'none') return rows;
  const temps: TensorInfo[] = [rows];
  try {
    const total = reduceKernel({
      inputs: [rows],
      attrs: { op: 'sum', axes: [0], keepDims: false },
      backend,
    }) as TensorInfo;
    if (attrs.reduction === 'sum') return total;
    temps.push(total);
    return backend.run(
      { source: kernelSource(['total'], `return total[0] / ${lit(attrs.count)};`) },
      [total],
      [],
      logits.dtype,
    );
  } finally {
    for (const t of temps) backend.disposeData(t.dataId);
  }
};

export const softmaxCrossEntropyGradKernel: KernelFunc<kernels.SoftmaxCrossEntropyAttrs, GpuBackend> = ({
  inputs: [logits, target, dy],
  attrs,
  backend,
}) => {
  const [n, c] = logits.shape;
  const scale =
    attrs.reduction === 'none'
      ? 'dy[r]'
      : attrs.reduction === 'mean'
        ? `dy[0] / ${lit(attrs.count)}`
        : 'dy[0]';
  const body = [
    // The element's row r and class k (indexCode's exact split of the thread index).
    indexCode([n, c]),
    'const r = c0;',
    'const k = c1;',
    `if (Math.abs(t[r] - ${lit(attrs.ignoreIndex)}) < 0.5) { return 0.0; }`,
    `const row = r * ${lit(c)};`,
    rowStats(c),
    'const p = Math.exp(x[row + k] - m) / s;',
    `return (Math.abs(k - t[r]) < 0.5 ? p - 1.0 : p) * ${scale};`,
  ].join('\n  ');
  return backend.run(
    { source: kernelSource(['x', 't', 'dy'], body), loopMax: Math.min(c, LOOP_LIMIT) },
    [logits, target, dy],
    [n, c],
    logits.dtype,
  );
};

export const softmaxCrossEntropyConfig = {
  kernelName: kernels.SoftmaxCrossEntropy,
  kernelFunc: softmaxCrossEntropyKernel,
};
export const softmaxCrossEntropyGradConfig = {
  kernelName: kernels.SoftmaxCrossEntropyGrad,
  kernelFunc: softmaxCrossEntropyGradKernel,
};
