import { type Linear, Sequential } from '@axon/layers';
import { DBN, dbn, pretrainDbn, RBM } from '@axon/models';
import { SGD } from '@axon/optim';
import { Generator, manualSeed, narrow, tensor, ValueError } from '@axon/tensor';
import { expectClose, expectError, valuesOf } from '@axon/testing';
import { beforeEach, describe, expect, it } from 'vitest';
import { expectSaveLoadRoundTrip } from './helpers';

beforeEach(() => manualSeed(17));

/** 32 examples of 8 bits: two patterns with a few bits flipped. */
function toyData() {
  const p = [
    [1, 1, 1, 1, 0, 0, 0, 0],
    [0, 0, 0, 0, 1, 1, 1, 1],
  ];
  return tensor(
    Array.from({ length: 32 }, (_, n) => p[n % 2].map((x, i) => (i === n % 8 && n % 3 === 0 ? 1 - x : x))),
  );
}

describe('dbn', () => {
  it('stacks one RBM per pair of sizes, binary above the bottom', () => {
    const m = dbn({ sizes: [8, 6, 4], visible: 'gaussian', layer: { k: 2 } });
    expect(m).toBeInstanceOf(DBN);
    expect(m.depth).toBe(2);
    expect(m.rbm(0)).toBeInstanceOf(RBM);
    expect([m.rbm(0).visible, m.rbm(1).visible]).toEqual(['gaussian', 'bernoulli']);
    expect([m.rbm(0).k, m.rbm(1).k]).toEqual([2, 2]);
    expect(Object.keys(m.stateDict())).toEqual([
      'rbms.0.weight',
      'rbms.0.visibleBias',
      'rbms.0.hiddenBias',
      'rbms.1.weight',
      'rbms.1.visibleBias',
      'rbms.1.hiddenBias',
    ]);
  });

  it('rejects bad options, naming dbn and the option', () => {
    expectError(() => dbn({ sizes: [8] }), ValueError, 'dbn', 'sizes');
    expectError(() => dbn({ sizes: [8, 0] }), ValueError, 'dbn', 'sizes[1]');
    expectError(
      () => dbn({ sizes: [8, 4], layer: { visibleSize: 3 } as never }),
      ValueError,
      'dbn',
      'layer.visibleSize',
    );
    expectError(() => dbn({ sizes: [8, 4] }).rbm(1), ValueError, 'DBN.rbm', 'below 1');
  });

  it('passes data up through p(h | v) of each RBM', () => {
    const m = dbn({ sizes: [8, 6, 4] });
    const x = toyData();
    expectClose(m.up(x), m.rbm(1).hiddenMean(m.rbm(0).hiddenMean(x)));
    expectClose(m.up(x, 1), m.rbm(0).hiddenMean(x));
  });

  it('pretrains greedily with fit, one History per layer, each layer improving', async () => {
    const m = dbn({ sizes: [8, 6, 4] });
    const x = toyData();
    const seen: number[] = [];
    const histories = await pretrainDbn(m, [{ x }, { x }], {
      epochs: [25, 20],
      optimizer: (rbm, layer) => {
        seen.push(layer);
        return new SGD(rbm.parameterGroups(1e-4), { lr: 0.3, momentum: 0.5 });
      },
      progress: false,
    });
    expect(seen).toEqual([0, 1]);
    expect(histories.map((h) => h.history.recon.length)).toEqual([25, 20]);
    const [first, second] = histories.map((h) => h.history.recon);
    expect(first.at(-1)).toBeLessThan(first[0] * 0.7);
    expect(second.at(-1)).toBeLessThan(second[0]);
    await expect(
      pretrainDbn(m, [{ x }], { epochs: [1], optimizer: () => new SGD(m.parameters(), { lr: 0.1 }) }),
    ).rejects.toThrow('pretrainDbn: expected 2 epoch counts (one per RBM), got 1');
  });

  it('unrolls into a sigmoid MLP whose hidden layers reproduce the up pass', () => {
    const m = dbn({ sizes: [8, 6, 4] });
    const x = toyData();
    const net = m.unroll({ numClasses: 3 });
    expect(net).toBeInstanceOf(Sequential);
    expect((net.layers.at(-1) as Linear).weight.shape).toEqual([3, 4]);
    const hidden = new Sequential(...net.layers.slice(0, -1));
    expectClose(hidden.forward(x), m.up(x), { rtol: 1e-5, atol: 1e-6 });
    expect(net.forward(x).shape).toEqual([32, 3]);
  });

  it('generates by Gibbs sampling in the top RBM and a down pass: reproducible pixel probabilities', () => {
    const m = dbn({ sizes: [8, 6, 4] });
    const a = m.sample(5, { gibbsSteps: 20, generator: new Generator(1) });
    const b = m.sample(5, { gibbsSteps: 20, generator: new Generator(1) });
    expect(a.shape).toEqual([5, 8]);
    expect(valuesOf(a)).toEqual(valuesOf(b));
    expect(valuesOf(a).every((p) => p > 0 && p < 1)).toBe(true);
    const fromData = m.sample(4, {
      gibbsSteps: 3,
      start: narrow(toyData(), 0, 0, 4),
      generator: new Generator(2),
    });
    expect(fromData.shape).toEqual([4, 8]);
  });

  it('round-trips through a model file bit-exactly', async () => {
    const m = dbn({ sizes: [8, 6, 4], layer: { persistent: true } });
    await expectSaveLoadRoundTrip(m, toyData());
  });
});
