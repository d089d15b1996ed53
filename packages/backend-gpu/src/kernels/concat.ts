import { type KernelFunc, kernels, stridesOf, type TensorInfo } from '@axon/tensor';
import type { GpuBackend } from '../backend';
import { indexCode, kernelSource, lit } from '../codegen';

/**
 * The most inputs one program reads. Every input is a sampler in the GL modes, and WebGL only
 * guarantees 8 texture units per fragment shader; longer lists are joined in rounds.
 */
const MAX_INPUTS = 8;

/**
 * One program over the output: the axis coordinate picks the input (compared against the
 * cumulative sizes along `axis`), and the coordinates, shifted on `axis` by where that input
 * starts, give the offset into it.
 */
function concatProgram(inputs: readonly TensorInfo[], axis: number, backend: GpuBackend): TensorInfo {
  const shape = [...inputs[0].shape];
  shape[axis] = 0;
  for (const x of inputs) shape[axis] += x.shape[axis];
  const dtype = inputs[0].dtype;
  // Inputs empty on `axis` contribute nothing (and gpu.js cannot take an empty array).
  const used = inputs.filter((x) => x.shape[axis] > 0);
  if (used.length === 0 || shape.some((n) => n === 0)) {
    return backend.run({ source: kernelSource([], 'return 0.0;') }, [], shape, dtype);
  }
  if (used.length === 1) {
    return backend.run({ source: kernelSource(['x0'], 'return x0[this.thread.x];') }, used, shape, dtype);
  }
  const offsets: Record<string, number[]> = {};
  used.forEach((x, i) => {
    offsets[`x${i}`] = stridesOf(x.shape);
  });
  const lines = [indexCode(shape, offsets)];
  let start = 0;
  used.forEach((x, i) => {
    // o_xi assumed the axis coordinate starts at 0 in input i; shift it back by `start`.
    const read = `x${i}[o_x${i}${start > 0 ? ` - ${lit(start * stridesOf(x.shape)[axis])}` : ''}]`;
    start += x.shape[axis];
    lines.push(
      i === used.length - 1 ? `return ${read};` : `if (c${axis} < ${lit(start)}) {\n    return ${read};\n  }`,
    );
  });
  const params = used.map((_, i) => `x${i}`);
  return backend.run({ source: kernelSource(params, lines.join('\n  ')) }, used, shape, dtype);
}

export const concatKernel: KernelFunc<kernels.ConcatAttrs, GpuBackend> = ({ inputs, attrs, backend }) => {
  const { axis } = attrs;
  let level: TensorInfo[] = [...inputs];
  let owned = new Set<TensorInfo>();
  // Join groups of MAX_INPUTS until one program can take the rest; intermediates are released.
  while (level.length > MAX_INPUTS) {
    const next: TensorInfo[] = [];
    const nextOwned = new Set<TensorInfo>();
    for (let i = 0; i < level.length; i += MAX_INPUTS) {
      const group = level.slice(i, i + MAX_INPUTS);
      if (group.length === 1) {
        next.push(group[0]);
        if (owned.has(group[0])) nextOwned.add(group[0]);
        continue;
      }
      const joined = concatProgram(group, axis, backend);
      for (const t of group) if (owned.has(t)) backend.disposeData(t.dataId);
      next.push(joined);
      nextOwned.add(joined);
    }
    level = next;
    owned = nextOwned;
  }
  const out = concatProgram(level, axis, backend);
  for (const t of owned) backend.disposeData(t.dataId);
  return out;
};

export const concatConfig = { kernelName: kernels.Concat, kernelFunc: concatKernel };
