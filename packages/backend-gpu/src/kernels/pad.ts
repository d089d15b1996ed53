import { allocate, type KernelFunc, kernels, stridesOf } from '@axon/tensor';
import type { GpuBackend } from '../backend';
import { indexCode, kernelSource, lit } from '../codegen';

/**
 * Each output cell inside the box that starts at the `before` pads reads x; every other cell
 * is `value` (converted to x's dtype as the CPU kernel's typed-array fill converts it).
 */
export const padKernel: KernelFunc<kernels.PadAttrs, GpuBackend> = ({ inputs: [x], attrs, backend }) => {
  const { pads } = attrs;
  const shape = x.shape.map((d, i) => pads[i][0] + d + pads[i][1]);
  const cell = allocate(x.dtype, 1);
  cell[0] = attrs.value;
  const value = lit(Number(cell[0]));
  const inside: string[] = [];
  let base = 0;
  const inStrides = stridesOf(x.shape);
  x.shape.forEach((n, d) => {
    const [before, after] = pads[d];
    if (before > 0) inside.push(`c${d} >= ${lit(before)}`);
    if (after > 0) inside.push(`c${d} < ${lit(before + n)}`);
    base += before * inStrides[d];
  });
  let body: string;
  if (x.shape.some((n) => n === 0)) body = `return ${value};`;
  else {
    const index = indexCode(shape, { x: inStrides });
    const read = `x[o_x - ${lit(base)}]`;
    body = inside.length
      ? `${index}\n  if (${inside.join(' && ')}) {\n    return ${read};\n  }\n  return ${value};`
      : `${index}\n  return ${read};`;
  }
  return backend.run({ source: kernelSource(['x'], body) }, [x], shape, x.dtype);
};

export const padConfig = { kernelName: kernels.Pad, kernelFunc: padKernel };
