/**
 * One training step of the MLP of examples/mnist-mlp (784 → 128 (relu) → 10, batch 64,
 * cross-entropy): forward, backward, and the SGD update of all four parameters; the loss is read
 * back. Axon with its default kernels (the WebAssembly SIMD gemm for float32 matmul) against Axon
 * forced onto its JS kernels; the peers join this case with `--peers` (issue 11, later).
 */
import { valueAndGrad } from '@axon/autograd';
import {
  crossEntropy,
  dispose,
  manualSeed,
  setCpuKernels,
  type Tensor,
  tensor,
  tidy,
  uniform,
} from '@axon/tensor';
import { fixedValues } from '../timing';
import type { BenchCase } from './case';

export function mlpStepCase(reps: number, warmup: number): BenchCase {
  const [B, I, Hd, O] = [64, 784, 128, 10];
  const xData = fixedValues(B * I, 6);
  const labels = Int32Array.from({ length: B }, (_, i) => (i * 7) % O);
  const lr = 0.01;
  return {
    name: `MLP step ${B}×${I}→${Hd}→${O} (fwd+bwd+SGD)`,
    // the three products forward and backward (2·B·I·Hd + 2·B·Hd·O, three times)
    flops: 3 * (2 * B * I * Hd + 2 * B * Hd * O),
    reps,
    warmup,
    libs: ['axon', 'axon-js'],
    async build(lib) {
      if (lib !== 'axon' && lib !== 'axon-js') throw new Error('not measured here');
      const kernels = lib === 'axon' ? 'auto' : 'js';
      const x = tensor(xData, { shape: [B, I] });
      const y = tensor(labels, { shape: [B], dtype: 'int32' });
      manualSeed(42); // the same initial parameters for both
      const params = [
        uniform([I, Hd], -1 / Math.sqrt(I), 1 / Math.sqrt(I)),
        uniform([Hd], -1 / Math.sqrt(I), 1 / Math.sqrt(I)),
        uniform([Hd, O], -1 / Math.sqrt(Hd), 1 / Math.sqrt(Hd)),
        uniform([O], -1 / Math.sqrt(Hd), 1 / Math.sqrt(Hd)),
      ];
      const lossAndGrads = valueAndGrad((w1: Tensor, b1: Tensor, w2: Tensor, b2: Tensor) =>
        crossEntropy(x.matmul(w1).add(b1).relu().matmul(w2).add(b2), y),
      );
      /** One step from the initial parameters: the loss and the updated parameters. */
      const step = (): Tensor[] => {
        const { value, grads } = lossAndGrads(...params);
        return [value, ...params.map((p, i) => p.sub(grads[i].mul(lr)))];
      };
      return {
        activate: async () => setCpuKernels(kernels),
        run: () =>
          tidy(() => {
            step()[0].item();
          }),
        result: async () => {
          setCpuKernels(kernels);
          return tidy(() => Float64Array.from(step().flatMap((t) => Array.from(t.dataSync()))));
        },
        dispose: () => dispose([x, y, params]),
      };
    },
  };
}
