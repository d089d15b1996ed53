/**
 * Training an LSTM as a character language model: 64 symbols one-hot in, hidden 128, sequence 32,
 * batch 32, a dense 128 → 64 softmax at every step, cross-entropy averaged over all 32·32
 * positions, Adam (lr 1e-3). One run is one step (./train_case.ts); throughput in steps/s.
 *
 * Every library runs torch's LSTM cell (gates i, f, g, o; biases b_ih and b_hh both learned):
 * Axon its `LSTM` layer, PyTorch `nn.LSTM`; tfjs and jax-js, which have no LSTM op in the
 * packages used here, the cell written out as Keras's LSTMCell and Flax's are (the input
 * projection of all steps in one product, then per step h·W_hhᵀ, the four gates, c and h).
 */
import { CrossEntropyLoss, Linear, LSTM, Module } from '@axon/layers';
import { manualSeed, reshape, type Tensor, tensor } from '@axon/tensor';
import { sequenceBatches } from '../data';
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

const [T, B, V, H] = [32, 32, 64, 128];
const SEED = 0;

/** The model: `lstm` (seq-first) and `head` applied at every step; torch's names. */
class CharLstm extends Module {
  readonly lstm: LSTM;
  readonly head: Linear;

  constructor() {
    super();
    this.lstm = this.addModule('lstm', new LSTM(V, H));
    this.head = this.addModule('head', new Linear(H, V));
  }

  /** x [T, B, V] → logits [T·B, V]. */
  forward(x: Tensor): Tensor {
    const { output } = this.lstm.forward(x);
    return this.head.forward(reshape(output, [T * B, H]));
  }
}

function axonModel(): CharLstm {
  manualSeed(SEED);
  return new CharLstm();
}

export function trainLstmCase(
  reps: number,
  warmup: number,
  libs: readonly LibName[],
  count: number,
): BenchCase {
  const initial = initialParameters(axonModel);
  const { param, kernel } = initial;
  let data: ReturnType<typeof sequenceBatches> | null = null;
  const batches = () => {
    data ??= sequenceBatches(T, B, V, count);
    return data;
  };

  return trainCase({
    name: `char LSTM ${V}→${H}→${V}, seq ${T}, batch ${B} train`,
    unit: 'steps/s',
    perRun: 1,
    reps,
    warmup,
    libs,
    async build(lib) {
      const d = batches();
      if (lib === 'axon') {
        return axonTrainer(axonModel(), new CrossEntropyLoss(), {
          x: d.x.map((x) => tensor(x, { shape: [T, B, V] })),
          y: d.y.map((y) => tensor(y, { shape: [T * B], dtype: 'int32' })),
        });
      }
      if (lib === 'tfjs-cpu' || lib === 'tfjs-wasm') {
        await useTfBackend(lib);
        const v2 = (name: string) => {
          const k = kernel(name);
          return tf.variable(tf.tensor2d(k.values, k.shape as [number, number]));
        };
        const v1 = (name: string) => tf.variable(tf.tensor1d(param(name).values));
        const vars = [
          v2('lstm.weight_ih_l0'),
          v1('lstm.bias_ih_l0'),
          v2('lstm.weight_hh_l0'),
          v1('lstm.bias_hh_l0'),
          v2('head.weight'),
          v1('head.bias'),
        ];
        const [wih, bih, whh, bhh, wo, bo] = vars;
        return tfTrainer(
          lib,
          vars,
          {
            x: d.x.map((x) => tf.tensor2d(x, [T * B, V])),
            y: d.yOneHot.map((y) => tf.tensor2d(y, [T * B, V])),
          },
          (x, y) => {
            const zs = tf.unstack(tf.reshape(tf.add(tf.matMul(x, wih), bih), [T, B, 4 * H]));
            let h: tf.Tensor = tf.zeros([B, H]);
            let c: tf.Tensor = tf.zeros([B, H]);
            const hs: tf.Tensor[] = [];
            for (let t = 0; t < T; t++) {
              const z = tf.add(tf.add(zs[t], tf.matMul(h, whh)), bhh);
              const [i, f, g, o] = tf.split(z, 4, 1);
              c = tf.add(tf.mul(tf.sigmoid(f), c), tf.mul(tf.sigmoid(i), tf.tanh(g)));
              h = tf.mul(tf.sigmoid(o), tf.tanh(c));
              hs.push(h);
            }
            const out = tf.reshape(tf.stack(hs), [T * B, H]);
            return tfCrossEntropy(tf.add(tf.matMul(out, wo), bo), y);
          },
        );
      }
      if (lib === 'jax-js') {
        const np = jax.numpy;
        const arr = (k: { values: Float32Array; shape: number[] }) => jaxArray(k.values, k.shape);
        return jaxTrainer(
          {
            wih: arr(kernel('lstm.weight_ih_l0')),
            bih: arr(param('lstm.bias_ih_l0')),
            whh: arr(kernel('lstm.weight_hh_l0')),
            bhh: arr(param('lstm.bias_hh_l0')),
            wo: arr(kernel('head.weight')),
            bo: arr(param('head.bias')),
          },
          {
            x: d.x.map((x) => jaxArray(x, [T * B, V])),
            y: d.yOneHot.map((y) => jaxArray(y, [T * B, V])),
          },
          (p, x, y) => {
            // jax-js ownership: every use but the last takes a .ref.
            const zx = np
              .matmul(x, p.wih)
              .add(p.bih)
              .reshape([T, B, 4 * H]);
            let h = np.zeros([B, H]);
            let c = np.zeros([B, H]);
            const hs: jax.numpy.Array[] = [];
            for (let t = 0; t < T; t++) {
              const z = zx.ref.slice(t).add(np.matmul(h, p.whh.ref)).add(p.bhh.ref);
              const gate = (k: number) => z.ref.slice([], [k * H, (k + 1) * H]);
              const i = jax.nn.sigmoid(gate(0));
              const f = jax.nn.sigmoid(gate(1));
              const g = np.tanh(gate(2));
              const o = jax.nn.sigmoid(gate(3));
              z.dispose();
              c = f.mul(c).add(i.mul(g));
              h = o.mul(np.tanh(c.ref));
              hs.push(h.ref);
            }
            h.dispose();
            c.dispose();
            zx.dispose();
            p.whh.dispose();
            p.bhh.dispose();
            const out = np.stack(hs).reshape([T * B, H]);
            return jaxCrossEntropy(np.matmul(out, p.wo).add(p.bo), y);
          },
        );
      }
      if (lib === 'torch') {
        return torchTrainer({
          case: 'lstm',
          vocab: V,
          hidden: H,
          params: torchParams(initial.all()),
          x: torchArray(concat(d.x), [count, T, B, V]),
          y: torchArray(concat(d.y), [count, T, B]),
        });
      }
      throw new Error('not measured');
    },
  });
}
