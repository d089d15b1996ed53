/**
 * Tiny models that own their training step, for the tests of fit's custom-step path: an
 * autoencoder (one optimizer, batches of x alone) and a toy least-squares "GAN" (two sub-modules,
 * two optimizers, noise from ctx.generator, the generator trained every other step, dropout in
 * the discriminator so the default generator matters too). Both are registered, so Checkpoint can
 * save them and resume can read them back.
 */
import { noGrad } from '@axon/autograd';
import { Dropout, Linear, Module, registerLayer, Sequential } from '@axon/layers';
import { randn, type Tensor, tensor } from '@axon/tensor';
import { seededValues } from '@axon/testing';
import type { Batch, StepContext, StepLogs } from '../src';

/** x [B, 4] → 2 → x̂ [B, 4]; trainStep minimizes the mean squared reconstruction error. */
export class TinyAutoencoder extends Module {
  readonly encoder = this.addModule('encoder', new Linear(4, 2));
  readonly decoder = this.addModule('decoder', new Linear(2, 4));
  forward(x: Tensor): Tensor {
    return this.decoder.forward(this.encoder.forward(x));
  }

  trainStep(batch: Batch, ctx: StepContext): StepLogs {
    const loss = this.forward(batch.x).sub(batch.x).square().mean();
    ctx.minimize(loss);
    return { loss };
  }

  evalStep(batch: Batch): StepLogs {
    return { loss: this.forward(batch.x).sub(batch.x).square().mean() };
  }

  static fromConfig(): TinyAutoencoder {
    return new TinyAutoencoder();
  }
}
registerLayer('TrainTestTinyAutoencoder', TinyAutoencoder);

/**
 * gen: z [B, 2] → x [B, 2]; disc: x → score [B, 1] (with dropout). Least-squares GAN losses:
 * d_loss = mean((D(x) − 1)²) + mean(D(G(z))²), g_loss = mean((D(G(z)) − 1)²). `mode` picks which
 * optimizers step ('both': disc every step, gen every `genEvery`-th global step).
 */
export class ToyGan extends Module {
  readonly gen = this.addModule('gen', new Linear(2, 2));
  readonly disc = this.addModule(
    'disc',
    new Sequential(new Linear(2, 4), new Dropout(0.2), new Linear(4, 1)),
  );
  mode: 'both' | 'disc' | 'gen' = 'both';
  /** In mode 'both', the generator trains on global steps that are multiples of this. */
  genEvery = 2;

  forward(z: Tensor): Tensor {
    return this.gen.forward(z);
  }

  trainStep(batch: Batch, ctx: StepContext): StepLogs {
    const z = randn([batch.x.shape[0], 2], { generator: ctx.generator });
    const logs: StepLogs = {};
    if (this.mode !== 'gen') {
      const dLoss = this.dLoss(batch.x, this.gen.forward(z));
      ctx.minimize(dLoss, 'disc');
      logs.d_loss = dLoss;
    }
    if (this.mode === 'gen' || (this.mode === 'both' && ctx.step % this.genEvery === 0)) {
      const gLoss = this.disc.forward(this.gen.forward(z)).sub(1).square().mean();
      ctx.minimize(gLoss, 'gen');
      logs.g_loss = gLoss;
    }
    return logs;
  }

  evalStep(batch: Batch, ctx: StepContext): StepLogs {
    const z = randn([batch.x.shape[0], 2], { generator: ctx.generator });
    return { d_loss: this.dLoss(batch.x, this.gen.forward(z)) };
  }

  private dLoss(real: Tensor, fake: Tensor): Tensor {
    const onReal = this.disc.forward(real).sub(1).square().mean();
    return onReal.add(this.disc.forward(fake).square().mean());
  }

  static fromConfig(): ToyGan {
    return new ToyGan();
  }
}
registerLayer('TrainTestToyGan', ToyGan);

/**
 * `batches` batches of `size` rows x [size, 4] on a 2-D subspace (x = z·A, z seeded), with no y:
 * an autoencoder with a 2-unit code can reconstruct them.
 */
export function unlabeled(batches: number, size: number, seed = 1): Batch[] {
  const a = tensor([
    [1, 0.5, -0.5, 0.2],
    [-0.3, 0.8, 0.4, -1],
  ]);
  const out: Batch[] = [];
  for (let i = 0; i < batches; i++) {
    const z = tensor(seededValues(size * 2, seed * 1000 + i), { shape: [size, 2] });
    out.push({ x: noGrad(() => z.matmul(a)) });
    z.dispose();
  }
  a.dispose();
  return out;
}

/** 2-D points around (1, −1), for the toy GAN. */
export function points(batches: number, size: number, seed = 2): Batch[] {
  return Array.from({ length: batches }, (_, i) => {
    const v = seededValues(size * 2, seed * 1000 + i, { lo: -0.3, hi: 0.3 });
    return {
      x: tensor(
        v.map((d, j) => d + (j % 2 === 0 ? 1 : -1)),
        { shape: [size, 2] },
      ),
    };
  });
}

/** Values of every parameter, flat, by name. */
export function paramValues(model: Module, prefix = ''): Record<string, number[]> {
  return Object.fromEntries(
    model
      .namedParameters()
      .filter(([k]) => k.startsWith(prefix))
      .map(([k, t]) => [k, [...t.dataSync()]]),
  );
}
