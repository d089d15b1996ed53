/**
 * Training a small CNN on real MNIST digits, batch 64, Adam (lr 1e-3): conv 8@5×5 → ReLU →
 * maxpool 2 → conv 16@5×5 → ReLU → maxpool 2 → flatten → dense 10 (28 → 24 → 12 → 8 → 4, so
 * 16·4·4 = 256 features). One run is one step (./train_case.ts); throughput in samples/s.
 *
 * Axon, jax-js and torch run NCHW with weights [out, in, kh, kw]; tfjs runs its native NHWC with
 * filters [kh, kw, in, out] (one channel, so the images are the same numbers) and its flatten
 * takes (h, w, c) order, so the dense kernel's rows are permuted to match. tfjs-wasm has no
 * Conv2DBackpropFilter kernel, so it cannot train this network.
 */
import { Conv2d, CrossEntropyLoss, Flatten, Linear, MaxPool2d, ReLU, Sequential } from '@axon/layers';
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
const [C1, C2, K, O] = [8, 16, 5, 10];
const FEATURES = C2 * 4 * 4;
const SEED = 0;

function axonModel(): Sequential {
  manualSeed(SEED);
  return new Sequential(
    new Conv2d(1, C1, K),
    new ReLU(),
    new MaxPool2d(2),
    new Conv2d(C1, C2, K),
    new ReLU(),
    new MaxPool2d(2),
    new Flatten(),
    new Linear(FEATURES, O),
  );
}

/** Permutes a row-major array of `shape` by `perm` (as numpy's transpose). */
function permute(values: Float32Array, shape: number[], perm: number[]): Float32Array {
  const out = new Float32Array(values.length);
  const outShape = perm.map((p) => shape[p]);
  const strides = shape.map((_, i) => shape.slice(i + 1).reduce((a, b) => a * b, 1));
  const idx = new Array(outShape.length).fill(0);
  for (let o = 0; o < out.length; o++) {
    let src = 0;
    for (let d = 0; d < perm.length; d++) src += idx[d] * strides[perm[d]];
    out[o] = values[src];
    for (let d = outShape.length - 1; d >= 0; d--) {
      if (++idx[d] < outShape[d]) break;
      idx[d] = 0;
    }
  }
  return out;
}

export function trainCnnCase(
  reps: number,
  warmup: number,
  libs: readonly LibName[],
  count: number,
): BenchCase {
  const initial = initialParameters(axonModel);
  const { param } = initial;

  return trainCase({
    name: `MNIST CNN conv8-pool-conv16-pool-fc10 train, batch ${B}`,
    unit: 'samples/s',
    perRun: B,
    reps,
    warmup,
    libs,
    async build(lib) {
      const data = await mnistBatches(B, count);
      if (lib === 'axon') {
        return axonTrainer(axonModel(), new CrossEntropyLoss(), {
          x: data.x.map((x) => tensor(x, { shape: [B, 1, 28, 28] })),
          y: data.y.map((y) => tensor(y, { shape: [B], dtype: 'int32' })),
        });
      }
      if (lib === 'tfjs-cpu' || lib === 'tfjs-wasm') {
        await useTfBackend(lib);
        const filter = (name: string) => {
          const { values, shape } = param(name);
          return tf.tensor4d(permute(values, shape, [2, 3, 1, 0]), [K, K, shape[1], shape[0]]);
        };
        // Axon's dense weight [10, (c, h, w)] → a kernel [(h, w, c), 10].
        const dense = permute(param('7.weight').values, [O, C2, 4, 4], [2, 3, 1, 0]);
        const vars = [
          tf.variable(filter('0.weight')),
          tf.variable(tf.tensor1d(param('0.bias').values)),
          tf.variable(filter('3.weight')),
          tf.variable(tf.tensor1d(param('3.bias').values)),
          tf.variable(tf.tensor2d(dense, [FEATURES, O])),
          tf.variable(tf.tensor1d(param('7.bias').values)),
        ];
        const [f1, b1, f2, b2, w, b] = vars;
        const block = (x: tf.Tensor4D, f: tf.Variable, bias: tf.Variable) =>
          tf.maxPool(
            tf.relu(tf.add(tf.conv2d(x, f as tf.Tensor4D, 1, 'valid'), bias)) as tf.Tensor4D,
            2,
            2,
            'valid',
          );
        return tfTrainer(
          lib,
          vars,
          {
            x: data.x.map((x) => tf.tensor4d(x, [B, 28, 28, 1])),
            y: data.oneHot.map((y) => tf.tensor2d(y, [B, O])),
          },
          (x, y) => {
            const h = block(block(x as tf.Tensor4D, f1, b1), f2, b2);
            return tfCrossEntropy(tf.add(tf.matMul(tf.reshape(h, [B, FEATURES]), w), b), y);
          },
        );
      }
      if (lib === 'jax-js') {
        const np = jax.numpy;
        const conv = (name: string) => jaxArray(param(name).values, param(name).shape);
        const dense = param('7.weight');
        const block = (x: jax.numpy.Array, f: jax.numpy.Array, bias: jax.numpy.Array) =>
          jax.lax.reduceWindow(
            jax.nn.relu(jax.lax.conv(x, f, [1, 1], 'VALID').add(bias.reshape([1, -1, 1, 1]))),
            (win: jax.numpy.Array) => np.max(win),
            [2, 2],
            [2, 2],
          );
        return jaxTrainer(
          {
            f1: conv('0.weight'),
            b1: jaxArray(param('0.bias').values, [C1]),
            f2: conv('3.weight'),
            b2: jaxArray(param('3.bias').values, [C2]),
            w: jaxArray(permute(dense.values, dense.shape, [1, 0]), [FEATURES, O]),
            b: jaxArray(param('7.bias').values, [O]),
          },
          {
            x: data.x.map((x) => jaxArray(x, [B, 1, 28, 28])),
            y: data.oneHot.map((y) => jaxArray(y, [B, O])),
          },
          (p, x, y) => {
            const h = block(block(x, p.f1, p.b1), p.f2, p.b2);
            return jaxCrossEntropy(np.matmul(h.reshape([B, FEATURES]), p.w).add(p.b), y);
          },
        );
      }
      if (lib === 'torch') {
        return torchTrainer({
          case: 'cnn',
          params: torchParams(initial.all()),
          x: torchArray(concat(data.x), [count, B, 1, 28, 28]),
          y: torchArray(concat(data.y), [count, B]),
        });
      }
      throw new Error('not measured');
    },
  });
}
