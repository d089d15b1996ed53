/**
 * The MLP training step that both benchmark families time (cpu kernels in cases/mlp.ts, gpu vs cpu
 * in gpu/cases.ts): examples/mnist-mlp's model, 784 → 128 (relu) → 10 on a batch of 64 with
 * cross-entropy, forward, backward and the SGD update of all four parameters. One definition, so
 * both time the same work from the same numbers.
 */
import { valueAndGrad } from '@axon/autograd';
import { crossEntropy, manualSeed, type Tensor, tensor, uniform } from '@axon/tensor';
import { fixedValues } from '@axon/testing';

const [B, I, Hd, O] = [64, 784, 128, 10];
const LR = 0.01;

export const MLP_STEP_NAME = `MLP step ${B}×${I}→${Hd}→${O} (fwd+bwd+SGD)`;
/** The three products forward and backward (2·B·I·Hd + 2·B·Hd·O, three times). */
export const MLP_STEP_FLOPS = 3 * (2 * B * I * Hd + 2 * B * Hd * O);

export interface MlpStep {
  /** The batch and the initial parameters, to dispose when done. */
  tensors: Tensor[];
  /** One step from the initial parameters: the loss and the updated parameters. */
  step(): { loss: Tensor; updated: Tensor[] };
}

/** Builds the batch and the parameters (seed 42) on the current backend. */
export function mlpStep(): MlpStep {
  const x = tensor(fixedValues(B * I, 6), { shape: [B, I] });
  const y = tensor(
    Int32Array.from({ length: B }, (_, i) => (i * 7) % O),
    { shape: [B], dtype: 'int32' },
  );
  manualSeed(42);
  const params = [
    uniform([I, Hd], -1 / Math.sqrt(I), 1 / Math.sqrt(I)),
    uniform([Hd], -1 / Math.sqrt(I), 1 / Math.sqrt(I)),
    uniform([Hd, O], -1 / Math.sqrt(Hd), 1 / Math.sqrt(Hd)),
    uniform([O], -1 / Math.sqrt(Hd), 1 / Math.sqrt(Hd)),
  ];
  const lossAndGrads = valueAndGrad((w1: Tensor, b1: Tensor, w2: Tensor, b2: Tensor) =>
    crossEntropy(x.matmul(w1).add(b1).relu().matmul(w2).add(b2), y),
  );
  return {
    tensors: [x, y, ...params],
    step: () => {
      const { value, grads } = lossAndGrads(...params);
      return { loss: value, updated: params.map((p, i) => p.sub(grads[i].mul(LR))) };
    },
  };
}
