/**
 * The zoo models of @axon/models whose forward is more than a Sequential: the recurrent regressor,
 * the dense and convolutional autoencoders, the VAE (its mean reconstruction) and the DCGAN
 * generator (unconditional, or with labels as a second input). They are looked up by their
 * registered names and read by shape (the interfaces below), so that interop does not depend on
 * @axon/models; each exports its children through `ctx.child`, so their layers are the ones above.
 */
import type { AnyModule, Linear } from '@axon/layers';
import { concat, narrow, oneHot, reshape, type Tensor } from '@axon/tensor';
import { ONNX_DTYPES } from '../proto';
import type { ExportContext, Exported, LayerExporter, Traced } from '../registry';
import { reshapeNode } from './util';

interface RNNRegressorLike extends AnyModule {
  rnn: AnyModule;
  head: AnyModule;
  hiddenSize: number;
}

interface AutoencoderLike extends AnyModule {
  encoder: AnyModule;
  decoder: AnyModule;
}

interface VAELike extends AnyModule {
  encoderType: 'mlp' | 'conv';
  decoderType: 'bernoulli' | 'gaussian';
  outputVariance: 'learned' | number | null;
  encoder: AnyModule;
  mu: Linear;
  decoder: AnyModule;
}

interface DCGANGeneratorLike extends AnyModule {
  cond: { numClasses: number } | null;
  labelEmbedding: AnyModule | null;
  net: AnyModule;
}

/** [N, ...] → [N, values per example]: what the dense families do to images. */
function flattenBatch(ctx: ExportContext, x: Traced): Traced {
  if (x.sample.rank === 2) return x;
  const per = x.sample.shape.slice(1).reduce((a, d) => a * d, 1);
  return { name: reshapeNode(ctx, x.name, [0, per]), sample: reshape(x.sample, [x.sample.shape[0], per]) };
}

/** Value `y` of shape `shape` reshaped like `like` (batch dim copied), when the shapes differ. */
function shapedLike(ctx: ExportContext, y: string, shape: readonly number[], like: Tensor): string {
  if (shape.join() === like.shape.join()) return y;
  return reshapeNode(ctx, y, [0, ...like.shape.slice(1)]);
}

/** The last time step of a recurrent layer's output [B, T, H] → [B, H]. */
function lastStep(ctx: ExportContext, out: Traced): Traced {
  const g = ctx.graph;
  const [B, T, H] = out.sample.shape;
  const slice = ctx.node('Slice', [out.name, g.ints([-1]), g.ints([Number.MAX_SAFE_INTEGER]), g.ints([1])]);
  return {
    name: ctx.node('Squeeze', [slice, g.ints([1], 'axis1')]),
    sample: reshape(narrow(out.sample, 1, T - 1, 1), [B, H]),
  };
}

function recurrentOutput(ctx: ExportContext, e: Exported): Traced {
  const out = (e as { output?: Traced }).output;
  if (!out) throw ctx.fail("expected the recurrent layer to give 'output'");
  return out;
}

/** encoder → decoder, the dense one on flattened examples and reshaped back. */
function autoencoder(dense: boolean): LayerExporter {
  return (m: AutoencoderLike, [x], ctx) => {
    const code = ctx.single(ctx.child(m.encoder, 'encoder', [dense ? flattenBatch(ctx, x) : x]));
    const y = ctx.single(ctx.child(m.decoder, 'decoder', [code]));
    return { name: shapedLike(ctx, y.name, y.sample.shape, x.sample), sample: m.forward(x.sample) };
  };
}

export const zooExporters: Record<string, LayerExporter> = {
  RNNRegressor: (m: RNNRegressorLike, [x], ctx) => {
    const last = lastStep(ctx, recurrentOutput(ctx, ctx.child(m.rnn, 'rnn', [x])));
    return { name: ctx.single(ctx.child(m.head, 'head', [last])).name, sample: m.forward(x.sample) };
  },
  DenseAutoencoder: autoencoder(true),
  ConvAutoencoder: autoencoder(false),
  // forward(x) = decode(mu(x)): σ(logits) for a Bernoulli decoder, the mean for a Gaussian one.
  VAE: (m: VAELike, [x], ctx) => {
    const input = m.encoderType === 'mlp' ? flattenBatch(ctx, x) : x;
    const h = ctx.single(ctx.child(m.encoder, 'encoder', [input]));
    const mu = ctx.single(ctx.child(m.mu, 'mu', [h]));
    const raw = ctx.single(ctx.child(m.decoder, 'decoder', [mu]));
    let y = raw.name;
    if (m.decoderType === 'bernoulli') y = ctx.node('Sigmoid', [y]);
    else if (m.outputVariance === 'learned') {
      const g = ctx.graph;
      const half = raw.sample.shape[1] / 2;
      y = ctx.node('Slice', [y, g.ints([0]), g.ints([half]), g.ints([1], 'axis1')]);
    }
    return { name: shapedLike(ctx, y, input.sample.shape, x.sample), sample: m.forward(x.sample) };
  },
  DCGANGenerator: (m: DCGANGeneratorLike, inputs, ctx) => {
    const [z, labels] = inputs;
    if (!m.cond !== !labels) {
      throw ctx.fail(
        m.cond ? 'a conditional generator needs [z, labels] as the sample input' : 'expected z alone',
      );
    }
    let input = z;
    if (m.cond && labels) {
      let code: Traced;
      if (m.labelEmbedding) code = ctx.single(ctx.child(m.labelEmbedding, 'labelEmbedding', [labels]));
      else {
        // one-hot: labels[:, None] == [0, 1, ..., K−1], cast to z's dtype
        const g = ctx.graph;
        const classes = g.constant(
          Array.from({ length: m.cond.numClasses }, (_, i) => i),
          [1, m.cond.numClasses],
          labels.sample.dtype,
          'classes',
        );
        const hit = ctx.node('Equal', [ctx.node('Unsqueeze', [labels.name, g.ints([1], 'axis1')]), classes]);
        code = {
          name: ctx.node('Cast', [hit], { to: { i: ONNX_DTYPES[z.sample.dtype] } }),
          sample: oneHot(labels.sample, m.cond.numClasses, z.sample.dtype),
        };
      }
      input = {
        name: ctx.node('Concat', [z.name, code.name], { axis: { i: 1 } }),
        sample: concat([z.sample, code.sample], 1),
      };
    }
    const out = ctx.single(ctx.child(m.net, 'net', [input]));
    const forward = m.forward as (z: Tensor, labels?: Tensor) => Tensor;
    return { name: out.name, sample: forward.call(m, z.sample, labels?.sample) };
  },
};
