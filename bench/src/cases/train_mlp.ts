/**
 * Training the MNIST MLP 784 → 128 (ReLU) → 10 on real digits, batch 64, Adam (lr 1e-3): one run
 * is one step (see ./train_case.ts); the throughput is in samples/s. The images go in flattened
 * [64, 784]. Weights: Axon's `Linear` init (torch's) with seed 0, copied into every peer (tfjs and
 * jax-js take the kernel as [in, out], i.e. Axon's weight transposed).
 */
import { CrossEntropyLoss, Linear, ReLU, Sequential } from '@axon/layers';
import { manualSeed, tensor } from '@axon/tensor';
import { mnistBatches } from '../data';
import { jax, type LibName, tf, useTfBackend } from '../peers';
import type { BenchCase } from './case';
import {
  axonTrainer,
  concat,
  initialParameters,
  jaxArray,
  jaxCrossEntropy,
  jaxTrainer,
  tfCrossEntropy,
  tfTrainer,
  torchArray,
  torchParams,
  torchTrainer,
  trainCase,
} from './train_case';

const B = 64;
const [I, H, O] = [784, 128, 10];
const SEED = 0;

function axonModel(): Sequential {
  manualSeed(SEED);
  return new Sequential(new Linear(I, H), new ReLU(), new Linear(H, O));
}

/** `count` batches: run k trains on batch k mod count. */
export function trainMlpCase(
  reps: number,
  warmup: number,
  libs: readonly LibName[],
  count: number,
): BenchCase {
  const initial = initialParameters(axonModel);
  const { param, kernel } = initial;

  return trainCase({
    name: `MNIST MLP ${I}-${H}-${O} train, batch ${B}`,
    unit: 'samples/s',
    perRun: B,
    reps,
    warmup,
    libs,
    async build(lib) {
      const data = await mnistBatches(B, count);
      if (lib === 'axon') {
        const model = axonModel();
        return axonTrainer(model, new CrossEntropyLoss(), {
          x: data.x.map((x) => tensor(x, { shape: [B, I] })),
          y: data.y.map((y) => tensor(y, { shape: [B], dtype: 'int32' })),
        });
      }
      if (lib === 'tfjs-cpu' || lib === 'tfjs-wasm') {
        await useTfBackend(lib);
        const w1 = kernel('0.weight');
        const w2 = kernel('2.weight');
        const vars = [
          tf.variable(tf.tensor2d(w1.values, [I, H])),
          tf.variable(tf.tensor1d(param('0.bias').values)),
          tf.variable(tf.tensor2d(w2.values, [H, O])),
          tf.variable(tf.tensor1d(param('2.bias').values)),
        ];
        const [vw1, vb1, vw2, vb2] = vars;
        return tfTrainer(
          lib,
          vars,
          { x: data.x.map((x) => tf.tensor2d(x, [B, I])), y: data.oneHot.map((y) => tf.tensor2d(y, [B, O])) },
          (x, y) => {
            const h = tf.relu(tf.add(tf.matMul(x, vw1), vb1));
            return tfCrossEntropy(tf.add(tf.matMul(h, vw2), vb2), y);
          },
        );
      }
      if (lib === 'jax-js') {
        const np = jax.numpy;
        const w1 = kernel('0.weight');
        const w2 = kernel('2.weight');
        return jaxTrainer(
          {
            w1: jaxArray(w1.values, w1.shape),
            b1: jaxArray(param('0.bias').values, [H]),
            w2: jaxArray(w2.values, w2.shape),
            b2: jaxArray(param('2.bias').values, [O]),
          },
          { x: data.x.map((x) => jaxArray(x, [B, I])), y: data.oneHot.map((y) => jaxArray(y, [B, O])) },
          (p, x, y) => {
            const h = jax.nn.relu(np.matmul(x, p.w1).add(p.b1));
            return jaxCrossEntropy(np.matmul(h, p.w2).add(p.b2), y);
          },
        );
      }
      if (lib === 'torch') {
        return torchTrainer({
          case: 'mlp',
          sizes: [I, H, O],
          params: torchParams(initial.all()),
          x: torchArray(concat(data.x), [count, B, I]),
          y: torchArray(concat(data.y), [count, B]),
        });
      }
      throw new Error('not measured');
    },
  });
}
