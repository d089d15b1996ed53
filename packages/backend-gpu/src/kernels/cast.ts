import { type KernelFunc, kernels } from '@axon/tensor';
import type { GpuBackend } from '../backend';
import { kernelSource } from '../codegen';

/**
 * Each target dtype as an expression of `v`, matching the CPU's `toTypedArray`:
 * - int32 truncates toward zero, then wraps like Int32Array (NaN and ±Infinity give 0; past
 *   ±2^31 a float32 is a multiple of 256, so the wrap is exact in float32);
 * - bool is `v != 0`, NaN included (true, as torch and the CPU; spelled out as `v != v` too, so a
 *   compiler that assumes no NaN cannot fold it away);
 * - float32 copies.
 */
const TO_INT32 =
  'let t = (v != v || Math.abs(v) == (1.0 / 0.0)) ? 0.0 : (v >= 0.0 ? Math.floor(v) : Math.ceil(v));\n' +
  '  if (t >= 2147483648.0 || t < -2147483648.0) {\n' +
  '    t = t - 4294967296.0 * Math.floor((t + 2147483648.0) / 4294967296.0);\n' +
  '  }\n' +
  '  return t;';

export const castKernel: KernelFunc<kernels.CastAttrs, GpuBackend> = ({ inputs: [x], attrs, backend }) => {
  const { dtype } = attrs;
  if (dtype === 'int32' && x.dtype === 'float32') {
    // statements, not an expression: a kernel of its own
    return backend.run(
      { source: kernelSource(['x'], `const v = x[this.thread.x];\n  ${TO_INT32}`) },
      [x],
      x.shape,
      dtype,
    );
  }
  const template = dtype === 'bool' ? '($0 != 0.0 || $0 != $0 ? 1.0 : 0.0)' : '$0';
  return backend.elementwise(template, [x], x.shape, dtype);
};

export const castConfig = { kernelName: kernels.Cast, kernelFunc: castKernel };
