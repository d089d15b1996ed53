/**
 * A CNN layer: conv2d 3×3, padding 1, on a batch of 32 images — by default 1 → 32 channels of
 * 28×28 (an MNIST convnet's first layer); `layer` picks another (the mnist-dcgan example's
 * `--depth 2` discriminator: 32 → 32 channels of 14×14). With `backward` (the default) one run is
 * a training step: the forward pass, then the gradients of L = sum(out ⊙ R) with respect to the
 * input and the weight, through each library's autodiff. Without it, the forward convolution alone
 * (tfjs-wasm has no Conv2DBackpropFilter kernel, so this is where it can be compared).
 *
 * Axon runs NCHW with weight [out, in, kh, kw]; tfjs runs its native NHWC with filter
 * [kh, kw, in, out]. The same numbers go in (transposed as needed) and the results are compared
 * in Axon's layouts.
 */
import { valueAndGrad } from '@axon/autograd';
import { conv2d, mul, sum, type Tensor, tensor, tidy } from '@axon/tensor';
import { fixedValues } from '@axon/testing';
import { tf, useTfBackend } from '../peers';
import type { BenchCase } from './case';

/** The layer's input channels, output channels and image size. */
export interface ConvLayer {
  c: number;
  o: number;
  h: number;
  w: number;
}

export const MNIST_FIRST_LAYER: ConvLayer = { c: 1, o: 32, h: 28, w: 28 };
export const DCGAN_DEPTH2_LAYER: ConvLayer = { c: 32, o: 32, h: 14, w: 14 };

const N = 32;
const K = 3;

export function conv2dCase(
  reps: number,
  warmup: number,
  backward = true,
  layer: ConvLayer = MNIST_FIRST_LAYER,
): BenchCase {
  const { c: C, o: O, h: H, w: W } = layer;
  const xData = fixedValues(N * C * H * W, 3);
  const wData = fixedValues(O * C * K * K, 4);
  const rData = fixedValues(N * O * H * W, 5);
  // forward 2·N·O·H·W·C·K·K; each of the two backward products costs the same again
  const flops = (backward ? 3 : 1) * 2 * N * O * H * W * C * K * K;
  return {
    name: `conv2d ${N}×${C}×${H}×${W} → ${O}ch 3×3 ${backward ? 'fwd+bwd' : 'fwd'}`,
    flops,
    reps,
    warmup,
    async build(lib) {
      if (lib === 'axon') {
        const x = tensor(xData, { shape: [N, C, H, W] });
        const w = tensor(wData, { shape: [O, C, K, K] });
        const r = tensor(rData, { shape: [N, O, H, W] });
        const forward = (xs: Tensor, ws: Tensor) => conv2d(xs, ws, null, { padding: 1 });
        const step = valueAndGrad((xs: Tensor, ws: Tensor) => sum(mul(forward(xs, ws), r)));
        /** The run's results, flattened: the output, or the loss and both gradients. */
        const compute = (): Tensor[] => {
          if (!backward) return [forward(x, w)];
          const { value, grads } = step(x, w);
          return [value, ...grads];
        };
        // Probe once, so that a missing conv2d kernel or gradient says so plainly.
        try {
          tidy(() => {
            compute();
          });
        } catch (err) {
          for (const t of [x, w, r]) t.dispose();
          throw new Error(`conv2d unavailable (${err instanceof Error ? err.message : String(err)})`);
        }
        return {
          activate: async () => {},
          run: () =>
            tidy(() => {
              compute();
            }),
          result: async () =>
            tidy(() => Float64Array.from(compute().flatMap((t) => Array.from(t.dataSync())))),
          dispose: () => {
            for (const t of [x, w, r]) t.dispose();
          },
        };
      }

      if (lib === 'axon-js') throw new Error('not measured: conv2d does not use the matmul kernel');
      if (lib !== 'tfjs-cpu' && lib !== 'tfjs-wasm') throw new Error('not measured here');
      if (lib === 'tfjs-cpu' && layer !== MNIST_FIRST_LAYER) {
        throw new Error('not measured: tfjs-cpu takes ~11 s a step on the 32-channel layer');
      }
      await useTfBackend(lib);
      const [x, w, r] = tf.tidy(() => [
        tf.transpose(tf.tensor4d(xData, [N, C, H, W]), [0, 2, 3, 1]),
        tf.transpose(tf.tensor4d(wData, [O, C, K, K]), [2, 3, 1, 0]),
        tf.transpose(tf.tensor4d(rData, [N, O, H, W]), [0, 2, 3, 1]),
      ]);
      const forward = (xs: tf.Tensor, ws: tf.Tensor) =>
        tf.conv2d(xs as tf.Tensor4D, ws as tf.Tensor4D, 1, 'same');
      const step = tf.valueAndGrads((xs: tf.Tensor, ws: tf.Tensor) => tf.sum(tf.mul(forward(xs, ws), r)));
      const compute = (): tf.Tensor[] => {
        if (!backward) return [forward(x, w)];
        const { value, grads } = step([x, w]);
        return [value, ...grads];
      };
      return {
        activate: () => useTfBackend(lib),
        run: () => {
          tf.tidy(() => {
            compute();
          });
        },
        result: async () => {
          await useTfBackend(lib);
          // back to Axon's layouts: out and dx NHWC → NCHW, dw [kh, kw, in, out] → [out, in, kh, kw]
          const outs = tf.tidy(() =>
            compute().map((t) =>
              t.rank === 0 ? t : tf.transpose(t, t.shape[0] === K ? [3, 2, 0, 1] : [0, 3, 1, 2]),
            ),
          );
          const parts = await Promise.all(outs.map((t) => t.data()));
          tf.dispose(outs);
          return Float64Array.from(parts.flatMap((p) => Array.from(p as Float32Array)));
        },
        dispose: () => tf.dispose([x, w, r]),
      };
    },
  };
}
