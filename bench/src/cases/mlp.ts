/**
 * One training step of the MLP of examples/mnist-mlp (see ../mlp_step.ts); the loss is read back.
 * Axon with its default kernels (the WebAssembly SIMD gemm for float32 matmul) against Axon forced
 * onto its JS kernels. The comparison with the peers is `--peers`' MNIST MLP training step
 * (./train_mlp.ts: real digits, Adam).
 */
import { dispose, setCpuKernels, tidy } from '@axon/tensor';
import { MLP_STEP_FLOPS, MLP_STEP_NAME, mlpStep } from '../mlp_step';
import type { BenchCase } from './case';

export function mlpStepCase(reps: number, warmup: number): BenchCase {
  return {
    name: MLP_STEP_NAME,
    flops: MLP_STEP_FLOPS,
    reps,
    warmup,
    libs: ['axon', 'axon-js'],
    async build(lib) {
      if (lib !== 'axon' && lib !== 'axon-js') throw new Error('not measured here');
      const kernels = lib === 'axon' ? 'auto' : 'js';
      const { tensors, step } = mlpStep();
      return {
        activate: async () => setCpuKernels(kernels),
        run: () =>
          tidy(() => {
            step().loss.item();
          }),
        result: async () => {
          setCpuKernels(kernels);
          return tidy(() => {
            const { loss, updated } = step();
            return Float64Array.from([loss, ...updated].flatMap((t) => Array.from(t.dataSync())));
          });
        },
        dispose: () => dispose(tensors),
      };
    },
  };
}
