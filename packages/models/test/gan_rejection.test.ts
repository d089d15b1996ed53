import { noGrad } from '@axon/autograd';
import { type GAN, gan, rejectionSample, thresholdFor } from '@axon/models';
import { Generator, manualSeed, type Tensor, ValueError } from '@axon/tensor';
import { expectClose, expectError, valuesOf } from '@axon/testing';
import { beforeEach, describe, expect, it } from 'vitest';

beforeEach(() => manualSeed(5));

const tiny = { latentSize: 4, imageSize: 8, generatorFeatures: 4, discriminatorFeatures: 4 } as const;

function meanScore(m: GAN, x: Tensor, labels?: Tensor): number {
  const d = valuesOf(noGrad(() => m.discriminator.forward(x, labels)));
  return d.reduce((a, b) => a + b, 0) / d.length;
}

describe('rejectionSample (discriminator rejection sampling)', () => {
  it('sets τ so that the share asked for of the scores would be kept', () => {
    const scores = Float32Array.from({ length: 1000 }, (_, i) => Math.sin(i) * 3);
    for (const accept of [0.9, 0.5, 0.1]) {
      const tau = thresholdFor(scores, accept);
      const kept = scores.reduce((a, s) => a + Math.min(1, Math.exp(s - tau)), 0) / scores.length;
      expect(kept).toBeCloseTo(accept, 6);
    }
    expect(thresholdFor(scores, 1)).toBe(Math.min(...scores));
  });

  it('keeps every first candidate with accept 1: the images sample() draws from the same noise', async () => {
    const m = gan({ ...tiny });
    m.eval();
    const r = await rejectionSample(m, 6, { accept: 1, generator: new Generator(3) });
    expect(r.images.shape).toEqual([6, 1, 8, 8]);
    expect(r.candidates).toBe(2000); // the first round sets τ
    // The same noise; a batch of 500 and one of 6 may differ in the last bits (blocked sums).
    expectClose(r.images, m.sample(6, undefined, { generator: new Generator(3) }), {
      atol: 1e-6,
      rtol: 1e-5,
    });
  });

  it('keeps images the discriminator scores higher, the same ones for the same seed', async () => {
    const m = gan({ ...tiny });
    m.eval();
    const r = await rejectionSample(m, 300, { accept: 0.3, generator: new Generator(7), batch: 128 });
    expect(r.candidates).toBeGreaterThanOrEqual(2000);
    const plain = m.sample(300, undefined, { generator: new Generator(7) });
    expect(meanScore(m, r.images)).toBeGreaterThan(meanScore(m, plain));
    const again = await rejectionSample(m, 300, { accept: 0.3, generator: new Generator(7), batch: 128 });
    expect(valuesOf(again.images)).toEqual(valuesOf(r.images));
    expect(again.threshold).toBe(r.threshold);
    // A given τ is used as it is, and keeps fewer the higher it is.
    const strict = await rejectionSample(m, 50, { threshold: r.threshold + 1, generator: new Generator(8) });
    expect(strict.threshold).toBe(r.threshold + 1);
    expect(strict.candidates).toBeGreaterThan(50);
    // One that keeps nothing is an error, not a loop.
    await expect(rejectionSample(m, 2, { threshold: 1e4 })).rejects.toThrow(
      /rejectionSample: kept 0 of \d+ candidates with threshold 10000/,
    );
  });

  it('draws each image of a conditional GAN with its own label', async () => {
    const m = gan({ ...tiny, numClasses: 3 });
    m.eval();
    const labels = [2, 0, 1, 1];
    const all = await rejectionSample(m, 4, { accept: 1, labels, generator: new Generator(4) });
    expectClose(all.images, m.sample(4, labels, { generator: new Generator(4) }), { atol: 1e-6, rtol: 1e-5 });
    const r = await rejectionSample(m, 4, { accept: 0.5, labels, generator: new Generator(4) });
    expect(r.images.shape).toEqual([4, 1, 8, 8]);
  });

  it('refuses a critic, a share outside (0, 1], both knobs, and labels it cannot use', async () => {
    const m = gan({ ...tiny });
    await expect(rejectionSample(gan({ ...tiny, loss: 'wgan-gp' }), 2)).rejects.toThrow(
      /rejectionSample: expected a GAN with loss 'nonSaturating'.*got 'wgan-gp'/,
    );
    await expect(rejectionSample(m, 2, { accept: 0 })).rejects.toThrow(
      /rejectionSample.*accept.*got number 0/,
    );
    await expect(rejectionSample(m, 2, { accept: 0.5, threshold: 1 })).rejects.toThrow(
      /rejectionSample: pass accept or threshold, not both/,
    );
    await expect(rejectionSample(m, 2, { labels: [0, 1] })).rejects.toThrow(
      /rejectionSample: got labels.*unconditional/,
    );
    await expect(rejectionSample(gan({ ...tiny, numClasses: 3 }), 2, { labels: [0] })).rejects.toThrow(
      /rejectionSample: expected 2 labels.*got 1/,
    );
    expectError(() => thresholdFor(new Float32Array(0), 0.5), ValueError, 'thresholdFor');
  });
});
