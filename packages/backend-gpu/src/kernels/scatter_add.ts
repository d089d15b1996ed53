import { type KernelFunc, kernels, stridesOf } from '@axon/tensor';
import type { GpuBackend } from '../backend';
import { indexCode, kernelSource, lit } from '../codegen';

/**
 * The adjoint of Gather, as a gather over the index: each output thread walks the index entries
 * along `axis` that share its other coordinates (the "fibre" it can receive from) and adds the
 * src entries whose stored index equals its own axis coordinate. The fibre is walked in index
 * order, so the sums are accumulated in the same order as the CPU kernel's scatter. Threads
 * outside the index's extent on another dim receive nothing. src may be larger than the index;
 * it is read at the index's positions with its own strides.
 */
export const scatterAddKernel: KernelFunc<kernels.ScatterAddAttrs, GpuBackend> = ({
  inputs: [src, index],
  attrs,
  backend,
}) => {
  const { axis, shape } = attrs;
  const fibre = index.shape[axis] ?? 0;
  const indexStrides = stridesOf(index.shape);
  const srcStrides = stridesOf(src.shape);
  let body: string;
  if (fibre === 0 || index.shape.some((n) => n === 0)) body = 'return 0.0;';
  else {
    const outside = index.shape
      .map((n, d) => (d !== axis && n < shape[d] ? `c${d} >= ${lit(n)}` : ''))
      .filter((t) => t !== '');
    body = [
      indexCode(shape, {
        i: indexStrides.map((s, d) => (d === axis ? 0 : s)),
        s: srcStrides.map((s, d) => (d === axis ? 0 : s)),
      }),
      ...(outside.length ? [`if (${outside.join(' || ')}) {\n    return 0.0;\n  }`] : []),
      'let sum = 0.0;',
      `for (let k = 0; k < ${fibre}; k++) {`,
      `    if (Math.abs(index[o_i + k * ${lit(indexStrides[axis])}] - c${axis}) < 0.5) {`,
      `      sum = sum + src[o_s + k * ${lit(srcStrides[axis])}];`,
      '    }',
      '  }',
      'return sum;',
    ].join('\n  ');
  }
  return backend.run(
    { source: kernelSource(['src', 'index'], body), loopMax: fibre },
    [src, index],
    [...shape],
    src.dtype,
  );
};

export const scatterAddConfig = { kernelName: kernels.ScatterAdd, kernelFunc: scatterAddKernel };
