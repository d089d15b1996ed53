/**
 * One model being trained in the page: the model, its optimizer, the data as tensors on the
 * active backend, and the step count. The page calls `run` once per animation frame.
 *
 * Why a hand-rolled loop and not `fit` from @axon/train: `fit` owns the loop (epochs, awaiting
 * callbacks, a progress reporter meant for a terminal) and reads the loss back after every batch,
 * which on the gpu backend waits for WebGL each step. The page instead needs to run as many steps
 * as fit in a frame's time budget, read the loss once per frame, stop between any two steps
 * (Pause) and keep the model for the next Train. The step itself is still the library's: the
 * supervised one is forward → crossEntropy → `ctx.minimize` (backward, optimizer step, zeroGrad)
 * from @axon/train's `createStepContext`, and the generative models (autoencoder, VAE, GAN, RBM)
 * run their own `trainStep`. A GAN gets an optimizer for each network and sees images in tanh's
 * [-1, 1]; the loss the page shows is its discriminator's (an RBM's: the reconstruction error).
 */
import { noGrad } from '@axon/autograd';
import { type Module, toBytes } from '@axon/layers';
import { GAN, GAN_OPTIMIZERS, RBM } from '@axon/models';
import { Adam, type Optimizer, SGD } from '@axon/optim';
import {
  add,
  argmax,
  cast,
  concat,
  crossEntropy,
  div,
  eq,
  Generator,
  indexSelect,
  mul,
  reshape,
  softmax,
  sub,
  sum,
  type Tensor,
  tensor,
  tidy,
} from '@axon/tensor';
import { createStepContext, type SteppedModel } from '@axon/train';
import type { Dataset } from '../data/dataset';
import { type TaskKind, taskOfModule } from '../model/build';
import type { PlaygroundConfig } from '../model/config';
import { epochOrder } from './batch_order';

type Forward = { forward(x: Tensor): Tensor };
type Reconstructs = { reconstruct(x: Tensor): Tensor };
type Samples = { sample(n: number, o: { generator?: Generator }): Tensor };

/** The scalar of a generative model's step logs the page shows as its loss. */
const SHOWN_LOG: Record<Exclude<TaskKind, 'classifier'>, string> = {
  autoencoder: 'loss',
  vae: 'loss',
  gan: 'd_loss',
  rbm: 'recon',
};
/** Gibbs steps between the test images and an RBM's samples. */
const RBM_GIBBS_STEPS = 25;

/** What a model file keeps besides the weights: the settings and how far it trained. */
export interface FileExtra {
  playground: { config: PlaygroundConfig; steps: number };
}

export class Session {
  readonly task: TaskKind;
  steps = 0;
  private readonly optimizers: Record<string, Optimizer>;
  private readonly generator: Generator;
  private readonly trainX: Tensor;
  private readonly trainY: Tensor;
  private readonly testX: Tensor;
  private readonly testY: Tensor;
  private readonly trainCount: number;
  private order: Int32Array | null = null;
  private cursor = 0;
  private epoch = 0;

  constructor(
    readonly config: PlaygroundConfig,
    readonly data: Dataset,
    readonly model: Module,
  ) {
    this.task = taskOfModule(model);
    // DCGAN's Adam has β₁ 0.5 (Radford et al.): the usual 0.9 makes the two networks oscillate.
    const betas: [number, number] = this.task === 'gan' ? [0.5, 0.999] : [0.9, 0.999];
    const optimizer = (m: Module) =>
      config.optimizer === 'adam'
        ? new Adam(m.parameters(), { lr: config.lr, betas })
        : new SGD(m.parameters(), { lr: config.lr, momentum: 0.9 });
    this.optimizers =
      model instanceof GAN
        ? {
            [GAN_OPTIMIZERS.generator]: optimizer(model.generator),
            [GAN_OPTIMIZERS.discriminator]: optimizer(model.discriminator),
          }
        : { default: optimizer(model) };
    this.generator = new Generator(config.seed);
    if (data.kind === 'points') {
      const n = data.y.length;
      this.trainX = tensor(data.x, { shape: [n, 2] });
      this.trainY = tensor(data.y, { dtype: 'int32' });
      this.testX = this.trainX;
      this.testY = this.trainY;
      this.trainCount = n;
    } else {
      const { rows, cols, count, trainCount } = data;
      const x = Float32Array.from(data.pixels, (v) => v / 255);
      const all = tensor(x, { shape: [count, 1, rows, cols] });
      const labels = tensor(Int32Array.from(data.labels), { dtype: 'int32' });
      const split = (t: Tensor, from: number, to: number) =>
        indexSelect(
          t,
          0,
          tensor(
            Int32Array.from({ length: to - from }, (_, i) => from + i),
            { dtype: 'int32' },
          ),
        );
      [this.trainX, this.trainY, this.testX, this.testY] = tidy(() => [
        split(all, 0, trainCount),
        split(labels, 0, trainCount),
        split(all, trainCount, count),
        split(labels, trainCount, count),
      ]);
      all.dispose();
      labels.dispose();
      this.trainCount = trainCount;
    }
    model.train();
  }

  /** Runs steps until `budgetMs` has passed (at least one, at most `maxSteps`); returns the last step's loss. */
  run(budgetMs: number, maxSteps = Number.POSITIVE_INFINITY): { steps: number; loss: number } {
    const t0 = performance.now();
    let last: Tensor | null = null;
    let done = 0;
    do {
      last?.dispose();
      last = this.step();
      done++;
    } while (done < maxSteps && performance.now() - t0 < budgetMs);
    const loss = last.dataSync()[0];
    last.dispose();
    return { steps: done, loss };
  }

  /** One training step; returns its loss (a scalar the caller frees). */
  private step(): Tensor {
    const ctx = createStepContext({
      optimizers: this.optimizers,
      model: this.model,
      epoch: this.epoch,
      step: this.steps,
      generator: this.generator,
    });
    const loss = tidy(() => {
      const [x, y] = this.batch();
      if (this.task === 'classifier') {
        const l = crossEntropy((this.model as unknown as Forward).forward(x), y);
        ctx.minimize(l);
        return l;
      }
      const real = this.task === 'gan' ? sub(mul(x, 2), 1) : x;
      const logs = (this.model as unknown as SteppedModel).trainStep({ x: real }, ctx);
      const l = logs[SHOWN_LOG[this.task]];
      return l instanceof Object ? (l as Tensor) : tensor([l as number]);
    });
    this.steps++;
    return loss;
  }

  /** The next batch: the whole set for 2-D points, else the next `batchSize` of this epoch's order. */
  private batch(): [Tensor, Tensor] {
    if (this.data.kind === 'points') return [this.trainX, this.trainY];
    const size = Math.min(this.config.batchSize, this.trainCount);
    if (!this.order || this.cursor + size > this.trainCount) {
      if (this.order) this.epoch++;
      this.order = epochOrder(this.trainCount, this.config.seed, this.epoch);
      this.cursor = 0;
    }
    const idx = tensor(this.order.subarray(this.cursor, this.cursor + size), { dtype: 'int32' });
    this.cursor += size;
    return [indexSelect(this.trainX, 0, idx), indexSelect(this.trainY, 0, idx)];
  }

  /** Class probabilities [n, classes] (row-major) of a classifier for the inputs x [n, ...]. */
  predict(x: Float32Array, shape: number[]): Float32Array {
    return this.evaluating(() => {
      const p = tidy(() => softmax((this.model as unknown as Forward).forward(tensor(x, { shape })), 1));
      const values = Float32Array.from(p.dataSync());
      p.dispose();
      return values;
    });
  }

  /** A classifier's accuracy on the test split (the training points for a 2-D set); null for the others. */
  accuracy(): number | null {
    if (this.task !== 'classifier') return null;
    const n = this.testY.shape[0];
    const chunk = 250;
    let correct = 0;
    this.evaluating(() => {
      for (let from = 0; from < n; from += chunk) {
        const to = Math.min(n, from + chunk);
        correct += tidy(() => {
          const idx = tensor(
            Int32Array.from({ length: to - from }, (_, i) => from + i),
            { dtype: 'int32' },
          );
          const logits = (this.model as unknown as Forward).forward(indexSelect(this.testX, 0, idx));
          const hits = eq(argmax(logits, 1), indexSelect(this.testY, 0, idx));
          return sum(cast(hits, 'float32')).dataSync()[0];
        });
      }
    });
    return correct / n;
  }

  /** Autoencoder / VAE / RBM: the first `n` test images over their reconstructions, [2n, 1, H, W] (caller frees). */
  reconstructions(n: number): Tensor | null {
    if (this.task === 'classifier' || this.task === 'gan' || this.data.kind !== 'images') return null;
    const { rows, cols } = this.data;
    return this.evaluating(() =>
      tidy(() => {
        const x = this.firstTestImages(n);
        const y = reshape((this.model as unknown as Reconstructs).reconstruct(x), [n, 1, rows, cols]);
        return concat([x, y], 0);
      }),
    );
  }

  /**
   * `n` samples [n, 1, H, W] in [0, 1] (caller frees), from the same draws every call: a VAE's
   * decoded codes z ~ N(0, I); a GAN's G(z) for the same noise; an RBM's visible means after
   * RBM_GIBBS_STEPS Gibbs steps from the first `n` test images. Null for the other models.
   */
  samples(n: number): Tensor | null {
    if ((this.task !== 'vae' && this.task !== 'gan' && this.task !== 'rbm') || this.data.kind !== 'images') {
      return null;
    }
    const { rows, cols } = this.data;
    const generator = new Generator(1234);
    const model = this.model;
    return this.evaluating(() =>
      tidy(() => {
        let images: Tensor;
        if (model instanceof GAN) images = div(add(model.sample(n, undefined, { generator }), 1), 2);
        else if (model instanceof RBM) {
          const start = this.firstTestImages(n);
          images = model.visibleMean(model.gibbs(start, { steps: RBM_GIBBS_STEPS, generator }).h);
        } else images = (model as unknown as Samples).sample(n, { generator });
        return reshape(images, [n, 1, rows, cols]);
      }),
    );
  }

  /** The model file's bytes, with the settings and step count in its header. */
  toBytes(): Uint8Array {
    const extra: FileExtra = { playground: { config: this.config, steps: this.steps } };
    return toBytes(this.model, { extra: { json: extra } });
  }

  dispose(): void {
    this.model.dispose();
    for (const o of Object.values(this.optimizers)) o.dispose();
    const own = new Set([this.trainX, this.trainY, this.testX, this.testY]);
    for (const t of own) t.dispose();
  }

  /** The first `n` test images [n, ...] (inside the caller's tidy). */
  private firstTestImages(n: number): Tensor {
    const idx = tensor(
      Int32Array.from({ length: n }, (_, i) => i),
      { dtype: 'int32' },
    );
    return indexSelect(this.testX, 0, idx);
  }

  /** Runs `fn` with gradients off and the model in eval mode, then back in training mode. */
  private evaluating<T>(fn: () => T): T {
    this.model.eval();
    try {
      return noGrad(fn);
    } finally {
      this.model.train();
    }
  }
}
