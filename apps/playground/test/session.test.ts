import { fromBytes } from '@axon/layers';
import { memory, setBackend } from '@axon/tensor';
import { describe, expect, it } from 'vitest';
import type { ImageSet } from '../src/data/dataset';
import { generatePointSet } from '../src/data/point_sets';
import { buildModel } from '../src/model/build';
import { defaultConfig } from '../src/model/config';
import { epochOrder } from '../src/train/batch_order';
import { Session } from '../src/train/session';
import { gridPoints } from '../src/view/boundary';

setBackend('cpu');

describe('a training session (cpu, in Node)', () => {
  it('lowers the spirals loss, round-trips through its file bytes, and frees every tensor', () => {
    const before = memory().numTensors;
    const config = { ...defaultConfig('spirals'), backend: 'cpu' as const };
    const data = generatePointSet('spirals', 0);
    const s = new Session(config, data, buildModel(config, data));
    const first = s.run(0, 1).loss;
    const later = s.run(1e9, 60).loss;
    expect(s.steps).toBe(61);
    expect(later).toBeLessThan(0.5 * first);
    const grid = gridPoints(8, data.extent);
    const p = s.predict(grid, [64, 2]);
    const copy = new Session(config, data, fromBytes(s.toBytes()).model);
    expect(copy.predict(grid, [64, 2])).toEqual(p);
    expect(s.accuracy()).toBeGreaterThan(0.8);
    s.dispose();
    copy.dispose();
    expect(memory().numTensors).toBe(before);
  });

  it('trains the image models on minibatches, with reconstructions and samples for the generative ones', () => {
    const n = 40;
    const data: ImageSet = {
      kind: 'images',
      id: 'mnist',
      info: { id: 'mnist', label: '', file: '', trainCount: 30, testCount: 10, classNames: ['a', 'b'] },
      classes: 2,
      count: n,
      rows: 12,
      cols: 12,
      trainCount: 30,
      pixels: Uint8Array.from({ length: n * 144 }, (_, i) => (i * 37) % 256),
      labels: Uint8Array.from({ length: n }, (_, i) => i % 2),
    };
    for (const model of ['mlp', 'cnn', 'autoencoder', 'vae', 'gan', 'rbm'] as const) {
      const config = { ...defaultConfig('mnist', model), batchSize: 8, hidden: [16], latent: 2 };
      const s = new Session(config, data, buildModel(config, data));
      const { loss } = s.run(1e9, 5);
      expect(Number.isFinite(loss)).toBe(true);
      const recon = s.reconstructions(4);
      expect(recon?.shape ?? null).toEqual(
        model === 'autoencoder' || model === 'vae' || model === 'rbm' ? [8, 1, 12, 12] : null,
      );
      recon?.dispose();
      const samples = s.samples(3);
      const generative = model === 'vae' || model === 'gan' || model === 'rbm';
      expect(samples?.shape ?? null).toEqual(generative ? [3, 1, 12, 12] : null);
      if (samples) {
        const values = samples.dataSync();
        expect(Math.min(...values)).toBeGreaterThanOrEqual(0); // images in [0, 1]
        expect(Math.max(...values)).toBeLessThanOrEqual(1);
      }
      samples?.dispose();
      s.dispose();
    }
  });
});

describe('epochOrder', () => {
  it('is a permutation, the same for the same (seed, epoch), another for the next epoch', () => {
    const a = epochOrder(50, 1, 0);
    expect([...a].sort((x, y) => x - y)).toEqual(Array.from({ length: 50 }, (_, i) => i));
    expect(epochOrder(50, 1, 0)).toEqual(a);
    expect(epochOrder(50, 1, 1)).not.toEqual(a);
  });
});
