/**
 * What `axon sample` (and the end of `axon train`) draws for each generative family: a batch of
 * images [N, C, H, W] in [0, 1] and how to lay them out, for writeImageGrid. Draws come from the
 * given generator; everything runs without gradients, in eval mode (batch norm's running
 * statistics). A family that cannot sample has no sampler, and the command says so.
 */
import { noGrad } from '@axon/autograd';
import type { Module } from '@axon/layers';
import { AutoencoderBase, DBN, GAN, RBM, VAE } from '@axon/models';
import { add, concat, type Generator, narrow, reshape, stack, type Tensor, tidy } from '@axon/tensor';

export interface SampleRequest {
  /** How many images to draw (for reconstructions: how many test images to reconstruct). */
  n: number;
  generator: Generator;
  /** One example's shape, [C, H, W], to shape flat outputs. */
  exampleShape: readonly number[];
  /** The first `n` test images, as the model takes them (for reconstructions). */
  testImages(n: number): Promise<Tensor>;
}

export interface ImageBatch {
  /** [N, C, H, W] in [0, 1]. */
  images: Tensor;
  /** Images per row. */
  nrow: number;
  /** One label per row, in a left margin. */
  labels?: string[];
}

export type Sampler = (model: Module, request: SampleRequest) => Promise<ImageBatch>;

/** A square-ish grid: the integer square root, rounded up. */
const gridWidth = (n: number) => Math.ceil(Math.sqrt(n));

function expect<T>(model: Module, cls: abstract new (...args: never[]) => T, what: string): T {
  if (!(model instanceof cls)) throw new TypeError(`expected ${what}, got a ${model.constructor.name}`);
  return model as T;
}

/** A VAE's decoded draws z ~ N(0, I): the means of p(x | z). */
export const vaeSamples: Sampler = async (model, { n, generator, exampleShape }) => {
  const vae = expect(model, VAE, 'a VAE');
  vae.eval();
  const images = tidy(() => noGrad(() => reshape(vae.sample(n, { generator }), [n, ...exampleShape])));
  return { images, nrow: gridWidth(n) };
};

/**
 * A GAN's images from fresh noise, mapped from tanh's [-1, 1] to [0, 1]. A conditional GAN draws
 * the classes in turn (0, 1, ..., its default), so with a row as wide as the class count each
 * column is one class.
 */
export const ganSamples: Sampler = async (model, { n, generator }) => {
  const gan = expect(model, GAN, 'a GAN');
  gan.eval();
  const images = tidy(() => noGrad(() => add(gan.sample(n, undefined, { generator }), 1).div(2)));
  return { images, nrow: gan.cond ? gan.cond.numClasses : gridWidth(n) };
};

/**
 * An autoencoder's reconstructions: rows of up to 8 test images, each row followed by their
 * reconstructions (`n` rounded down to whole rows).
 */
export const reconstructions: Sampler = async (model, { n, testImages }) => {
  const ae = expect(model, AutoencoderBase, 'an autoencoder');
  ae.eval();
  const x = await testImages(n);
  const nrow = Math.min(8, x.shape[0]);
  const rows = Math.floor(x.shape[0] / nrow);
  const images = tidy(() =>
    noGrad(() => {
      const recon = ae.reconstruct(x);
      const parts = Array.from({ length: rows }, (_, r) => [
        narrow(x, 0, r * nrow, nrow),
        narrow(recon, 0, r * nrow, nrow),
      ]);
      return concat(parts.flat(), 0);
    }),
  );
  x.dispose();
  const labels = Array.from({ length: 2 * rows }, (_, i) => (i % 2 === 0 ? 'test' : 'recon'));
  return { images, nrow, labels };
};

/** Frames per RBM chain (its start and the snapshots), and Gibbs steps between snapshots. */
const RBM_FRAMES = 8;
const RBM_STEPS_PER_FRAME = 100;

/**
 * An RBM's Gibbs chains, as the mnist-rbm example draws them: a row per chain, started at a test
 * digit (the first image), then the visible means E[v | h] every 100 Gibbs steps, left to right.
 * `n` rounded up to whole rows of 8.
 */
export const rbmChains: Sampler = async (model, { n, generator, exampleShape, testImages }) => {
  const rbm = expect(model, RBM, 'an RBM');
  const chains = Math.ceil(n / RBM_FRAMES);
  const start = await testImages(chains);
  const images = tidy(() =>
    noGrad(() => {
      let v = reshape(start, [start.shape[0], rbm.visibleSize]);
      const frames = [v];
      for (let i = 1; i < RBM_FRAMES; i++) {
        const next = rbm.gibbs(v, { steps: RBM_STEPS_PER_FRAME, generator });
        frames.push(rbm.visibleMean(next.h));
        v = next.v;
      }
      return reshape(stack(frames, 1), [start.shape[0] * RBM_FRAMES, ...exampleShape]);
    }),
  );
  start.dispose();
  return { images, nrow: RBM_FRAMES };
};

/** Gibbs steps in a DBN's top RBM before the down pass (the example runs 1000; this keeps the CLI quick). */
const DBN_GIBBS_STEPS = 200;

/**
 * A DBN's generated digits, as the mnist-dbn example draws them: chains in the top RBM started
 * from the up pass of `n` test digits, then one down pass to pixel probabilities.
 */
export const dbnSamples: Sampler = async (model, { n, generator, exampleShape, testImages }) => {
  const dbn = expect(model, DBN, 'a DBN');
  const start = await testImages(n);
  const count = start.shape[0];
  const images = tidy(() =>
    reshape(dbn.sample(count, { gibbsSteps: DBN_GIBBS_STEPS, start, generator }), [count, ...exampleShape]),
  );
  start.dispose();
  return { images, nrow: gridWidth(count) };
};
