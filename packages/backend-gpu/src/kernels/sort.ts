import { type KernelFunc, kernels, stridesOf, type TensorInfo } from '@axon/tensor';
import type { GpuBackend } from '../backend';
import { indexCode, kernelSource, LOOP_LIMIT, lit } from '../codegen';

/**
 * A stable sort by rank counting, since one thread per output element cannot run a sequential
 * sort. Pass 1 gives every element its rank: the number of elements of its fibre (the entries
 * along `axis` that share its other coordinates) that come before it in order, ties broken by
 * position, so ranks are a permutation and equal values keep their input order. Passes 2 and 3
 * run one thread per output slot r that walks its fibre for the element of rank r and returns
 * its position (indices) or its value (values). That is O(n²) comparisons per fibre but no
 * scatter and no n × n buffer. NaN orders after every number (before, when descending), as on
 * the CPU and in torch.
 */
export const sortKernel: KernelFunc<kernels.SortAttrs, GpuBackend> = ({ inputs: [x], attrs, backend }) => {
  const { axis, descending } = attrs;
  const n = x.shape[axis];
  const axisStride = stridesOf(x.shape)[axis];
  // The fibre's start: the thread's offset with its own axis coordinate left out.
  const fibre = stridesOf(x.shape).map((s, d) => (d === axis ? 0 : s));
  const index = indexCode(x.shape, { f: fibre });
  const loopMax = Math.min(Math.max(n, 1), LOOP_LIMIT);
  const at = (arr: string) => `${arr}[o_f + jf * ${lit(axisStride)}]`;

  // w (at position jf) comes before v (at position k = c_axis): strictly less, or equal and earlier.
  const less = descending ? '(w > v || (w != w && v == v))' : '(w < v || (v != v && w == w))';
  const same = '(w == v || (w != w && v != v))';
  const rankBody = [
    index,
    'const v = x[this.thread.x];',
    'let r = 0.0;',
    fibreLoop(
      n,
      `const w = ${at('x')};\n  if (${less} || (${same} && jf < c${axis})) {\n  r = r + 1.0;\n  }`,
    ),
    'return r;',
  ].join('\n  ');
  const pick = (what: string) =>
    [
      index,
      'let out = 0.0;',
      fibreLoop(n, `if (Math.abs(${at('rank')} - c${axis}) < 0.5) {\n  out = ${what};\n  }`),
      'return out;',
    ].join('\n  ');

  const ranks: TensorInfo = backend.run(
    { source: kernelSource(['x'], rankBody), loopMax },
    [x],
    [...x.shape],
    'int32',
  );
  try {
    const indices = backend.run(
      { source: kernelSource(['rank'], pick('jf')), loopMax },
      [ranks],
      [...x.shape],
      'int32',
    );
    const values = backend.run(
      { source: kernelSource(['rank', 'x'], pick(at('x'))), loopMax },
      [ranks, x],
      [...x.shape],
      x.dtype,
    );
    return [values, indices];
  } finally {
    backend.disposeData(ranks.dataId);
  }
};

/**
 * A loop over the n positions of a fibre with the position as a float in `jf`; split into two
 * nested loops above LOOP_LIMIT (the longest single loop every GL stack runs).
 */
function fibreLoop(n: number, step: string): string {
  if (n <= LOOP_LIMIT) {
    return `let jf = 0.0;\n  for (let j = 0; j < ${Math.max(n, 1)}; j++) {\n  ${step}\n  jf = jf + 1.0;\n  }`;
  }
  const outer = Math.ceil(n / LOOP_LIMIT);
  return (
    `let jf = 0.0;\n  for (let jq = 0; jq < ${outer}; jq++) {\n  for (let js = 0; js < ${LOOP_LIMIT}; js++) {\n  ` +
    `if (jf < ${lit(n)}) {\n  ${step}\n  }\n  jf = jf + 1.0;\n  }\n  }`
  );
}

export const sortConfig = { kernelName: kernels.Sort, kernelFunc: sortKernel };
