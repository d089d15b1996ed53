/**
 * Square float32 matrix products, C = A · B with A, B of n × n. jax-js computes lazily, so its run
 * waits for the product (`blockUntilReady`); PyTorch's (one thread, in the Python peer) is timed
 * there around `a @ b`.
 */
import { matmul, setCpuKernels, type Tensor, tensor } from '@axon/tensor';
import { fixedValues } from '@axon/testing';
import { getTorchPeer, jax, type LibName, tf, useTfBackend } from '../peers';
import type { BenchCase } from './case';

export function matmulCase(
  n: number,
  reps: number,
  warmup: number,
  libs: readonly LibName[] = ['axon', 'axon-js', 'tfjs-cpu', 'tfjs-wasm'],
): BenchCase {
  const aData = fixedValues(n * n, 1);
  const bData = fixedValues(n * n, 2);
  return {
    name: `matmul ${n}×${n} f32`,
    flops: 2 * n * n * n,
    reps,
    warmup,
    libs,
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
      if (lib === 'jax-js') {
        const np = jax.numpy;
        const a = np.array(aData).reshape([n, n]);
        const b = np.array(bData).reshape([n, n]);
        return {
          activate: async () => {},
          run: async () => {
            const y = await np.matmul(a.ref, b.ref).blockUntilReady();
            y.dispose();
          },
          result: async () => {
            const y = np.matmul(a.ref, b.ref);
            const values = Float64Array.from(await y.data());
            return values;
          },
          dispose: () => {
            a.dispose();
            b.dispose();
          },
        };
      }
      if (lib === 'torch') {
        const peer = getTorchPeer();
        const id = `matmul-${n}`;
        await peer.request({
          cmd: 'setup',
          id,
          case: 'matmul',
          a: peer.array(aData, [n, n]),
          b: peer.array(bData, [n, n]),
        });
        return {
          activate: async () => {},
          run: async () => Number((await peer.request({ cmd: 'run', id })).ms),
          result: async () => Float64Array.from(await peer.fetch({ cmd: 'result', id })),
          dispose: () => {
            void peer.request({ cmd: 'drop', id }).catch(() => {});
          },
        };
      }
      if (lib === 'axon-1t') throw new Error('main.ts builds axon-1t as axon, held to one thread');
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
