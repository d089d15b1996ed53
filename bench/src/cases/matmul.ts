/** Square float32 matrix products, C = A · B with A, B of n × n. */
import { matmul, setCpuKernels, type Tensor, tensor } from '@axon/tensor';
import { tf, useTfBackend } from '../peers';
import { fixedValues } from '../timing';
import type { BenchCase } from './case';

export function matmulCase(n: number, reps: number, warmup: number): BenchCase {
  const aData = fixedValues(n * n, 1);
  const bData = fixedValues(n * n, 2);
  return {
    name: `matmul ${n}×${n} f32`,
    flops: 2 * n * n * n,
    reps,
    warmup,
    libs: ['axon', 'axon-js', 'tfjs-cpu', 'tfjs-wasm'],
    async build(lib) {
      if (lib === 'axon' || lib === 'axon-js') {
        // axon: the default kernels (WebAssembly SIMD gemm); axon-js: forced onto the JS gemm.
        const kernels = lib === 'axon' ? 'auto' : 'js';
        const a = tensor(aData, { shape: [n, n] });
        const b = tensor(bData, { shape: [n, n] });
        const product = (): Tensor => matmul(a, b);
        return {
          activate: async () => setCpuKernels(kernels),
          run: () => product().dispose(),
          result: async () => {
            setCpuKernels(kernels);
            const y = product();
            const values = Float64Array.from(y.dataSync());
            y.dispose();
            return values;
          },
          dispose: () => {
            a.dispose();
            b.dispose();
          },
        };
      }
      await useTfBackend(lib);
      const a = tf.tensor2d(aData, [n, n]);
      const b = tf.tensor2d(bData, [n, n]);
      return {
        activate: () => useTfBackend(lib),
        // Both tfjs backends compute eagerly and synchronously, as Axon's CPU backend does, so the
        // op's return marks the end of the work; no read-back is timed for anyone.
        run: () => tf.matMul(a, b).dispose(),
        result: async () => {
          await useTfBackend(lib);
          const y = tf.matMul(a, b);
          const values = Float64Array.from(await y.data());
          y.dispose();
          return values;
        },
        dispose: () => {
          a.dispose();
          b.dispose();
        },
      };
    },
  };
}
