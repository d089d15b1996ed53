import { grad } from '@axon/autograd';
import {
  BilinearTensor,
  bilinearTensor,
  Embedding,
  embedding,
  GaussianSample,
  gaussianSample,
  SparseLinear,
  sparseLinear,
} from '@axon/layers';
import {
  DTypeError,
  Generator,
  manualSeed,
  mul,
  ShapeError,
  sum,
  type Tensor,
  tensor,
  tidy,
  ValueError,
  zeros,
} from '@axon/tensor';
import { describe, expect, it } from 'vitest';
import {
  expectClose,
  expectGradientsMatch,
  expectNoLeak,
  expectRoundTrip,
  rand64,
  values,
} from './core_helpers';

describe('Embedding', () => {
  const table = tensor([
    [0, 0],
    [1, 2],
    [3, 4],
    [5, 6],
  ]);

  it('looks rows up, with output shape indices.shape + [dim]', () => {
    const layer = new Embedding(4, 2);
    layer.loadStateDict({ weight: table });
    const y = layer.forward(tensor([[3, 1, 3]], 'int32'));
    expect(y.shape).toEqual([1, 3, 2]);
    expectClose(y, [5, 6, 1, 2, 5, 6]);
    expect(layer.forward(tensor(2, 'int32')).shape).toEqual([2]);
    expect(Object.keys(layer.stateDict())).toEqual(['weight']);
    layer.dispose();
  });

  it('accumulates repeated ids into one gradient row; paddingIdx rows get none', () => {
    const idx = tensor([0, 2, 2, 0, 1], 'int32');
    const [g] = grad((w: Tensor) => sum(embedding(idx, w)))(table);
    expectClose(g, [2, 2, 1, 1, 2, 2, 0, 0]);
    const [gp] = grad((w: Tensor) => sum(mul(embedding(idx, w, 0), 3)))(table);
    expectClose(gp, [0, 0, 3, 3, 6, 6, 0, 0]);
    // The padding row still reads its value in the forward pass (here non-zero).
    expectClose(embedding(tensor([2], 'int32'), table, -2), [3, 4]);
    const [gn] = grad((w: Tensor) => sum(embedding(idx, w, -2)))(table);
    expectClose(gn, [2, 2, 1, 1, 0, 0, 0, 0]);
  });

  it('initialises N(0, 1) with the padding row zeroed, and trains around it', () => {
    manualSeed(4);
    const layer = new Embedding(1000, 50, { paddingIdx: 3 });
    const w = values(layer.weight);
    const row = w.slice(150, 200);
    expect(row.every((v) => v === 0)).toBe(true);
    const mean = w.reduce((a, b) => a + b, 0) / w.length;
    const sd = Math.sqrt(w.reduce((a, b) => a + (b - mean) ** 2, 0) / w.length);
    expect(Math.abs(mean)).toBeLessThan(0.02);
    expect(Math.abs(sd - 1)).toBeLessThan(0.02);
    tidy(() => sum(layer.forward(tensor([3, 4, 3], 'int32'))).backward());
    const g = values(layer.weight.grad as Tensor);
    expect(g.slice(150, 200).every((v) => v === 0)).toBe(true);
    expect(g.slice(200, 250).every((v) => v === 1)).toBe(true);
    expect(layer.paddingIdx).toBe(3);
    expect(new Embedding(5, 2, { paddingIdx: -1 }).paddingIdx).toBe(4);
    layer.dispose();
  });

  it('validates ids, dtypes and paddingIdx', () => {
    const layer = new Embedding(4, 2);
    expect(() => layer.forward(tensor([1, 4], 'int32'))).toThrow(ValueError);
    expect(() => layer.forward(tensor([1, 4], 'int32'))).toThrow(
      'embedding (weight [4, 2]): indexSelect: index 4',
    );
    expect(() => layer.forward(tensor([1, 2]))).toThrow('Embedding: expected int32 indices, got float32 [2]');
    expect(() => layer.forward(tensor([1, 2]))).toThrow(DTypeError);
    expect(() => new Embedding(4, 2, { paddingIdx: 4 })).toThrow(
      'Embedding: expected paddingIdx to be an integer in [-4, 4) for 4 embeddings, got 4',
    );
    expect(() => embedding(tensor([0], 'int32'), zeros([4]))).toThrow(
      'embedding: expected weight of rank 2 [numEmbeddings, embeddingDim], got [4]',
    );
    layer.dispose();
  });

  it('round-trips its config and has correct gradients', () => {
    const layer = new Embedding(6, 3, { paddingIdx: 0 });
    expect(layer.config()).toEqual({ numEmbeddings: 6, embeddingDim: 3, paddingIdx: 0 });
    expectRoundTrip(
      layer,
      tensor(
        [
          [0, 5],
          [2, 2],
        ],
        'int32',
      ),
    );
    expectRoundTrip(new Embedding(3, 2), tensor([1], 'int32'));
    // The lookup's gradient (repeated ids included); paddingIdx is checked exactly above.
    const idx = tensor(
      [
        [1, 4, 1],
        [0, 5, 4],
      ],
      'int32',
    );
    expectGradientsMatch((w) => embedding(idx, w), [rand64([6, 3])]);
    expectNoLeak(() => layer.forward(idx));
    layer.dispose();
  });
});

describe('SparseLinear', () => {
  it('draws a fixed seeded 0/1 mask with the requested density', () => {
    const layer = new SparseLinear(200, 100, { density: 0.1, seed: 42 });
    expect(Object.keys(layer.stateDict())).toEqual(['weight', 'bias', 'mask']);
    expect(layer.mask.shape).toEqual([100, 200]);
    const m = values(layer.mask);
    expect(m.every((v) => v === 0 || v === 1)).toBe(true);
    expect(Math.abs(layer.connections() / m.length - 0.1)).toBeLessThan(0.01);
    const w = values(layer.weight);
    expect(w.every((v, i) => m[i] === 1 || v === 0)).toBe(true);
    expect(w.every((v) => Math.abs(v) <= 1 / Math.sqrt(200))).toBe(true);
    const same = new SparseLinear(200, 100, { density: 0.1, seed: 42 });
    expect(values(same.mask)).toEqual(m);
    const other = new SparseLinear(200, 100, { density: 0.1, seed: 43 });
    expect(values(other.mask)).not.toEqual(m);
    layer.dispose();
    same.dispose();
    other.dispose();
  });

  it('computes x (W ⊙ M)ᵀ + b and gives masked weights zero gradient', () => {
    const layer = new SparseLinear(3, 2, { density: 0.5, seed: 1 });
    const mask = tensor([
      [1, 0, 1],
      [0, 1, 0],
    ]);
    layer.loadStateDict({
      weight: tensor([
        [1, 2, 3],
        [4, 5, 6],
      ]),
      bias: tensor([0.5, -0.5]),
      mask,
    });
    const x = tensor([[1, 1, 1]]);
    expectClose(layer.forward(x), [4.5, 4.5]);
    tidy(() => sum(layer.forward(tensor([[1, 2, 3]]))).backward());
    expectClose(layer.weight.grad as Tensor, [1, 0, 3, 0, 2, 0]);
    expect(() => layer.forward(zeros([2, 4]))).toThrow('SparseLinear: expected input [..., 3], got [2, 4]');
    layer.dispose();
  });

  it('defaults its seed from manualSeed, stores it in config, and round-trips', () => {
    manualSeed(9);
    const a = new SparseLinear(20, 10, { density: 0.3, bias: false });
    manualSeed(9);
    const b = new SparseLinear(20, 10, { density: 0.3, bias: false });
    expect(a.seed).toBe(b.seed);
    expect(values(a.mask)).toEqual(values(b.mask));
    expect(a.config()).toEqual({ inFeatures: 20, outFeatures: 10, density: 0.3, bias: false, seed: a.seed });
    const copy = expectRoundTrip(a, rand64([2, 20]).cast('float32'));
    expect(copy).toBeInstanceOf(SparseLinear);
    const rebuilt = new SparseLinear(20, 10, { density: 0.3, bias: false, seed: a.seed });
    expect(values(rebuilt.mask)).toEqual(values(a.mask));
    expect(() => new SparseLinear(4, 4, { density: 0 })).toThrow(
      'SparseLinear: expected density to be a number in (0, 1], got 0',
    );
    a.dispose();
    b.dispose();
    rebuilt.dispose();
  });

  it('sparseLinear(x, weight, mask, bias): gradients match finite differences', () => {
    const mask = tensor([
      [1, 0, 1, 1],
      [0, 1, 0, 1],
      [1, 1, 0, 0],
    ]);
    expectGradientsMatch(
      (x, w, b) => sparseLinear(x, w, mask, b),
      [rand64([2, 4], 1), rand64([3, 4], 2), rand64([3], 3)],
    );
  });
});

describe('GaussianSample', () => {
  it('samples mean + exp(0.5·logVar)·ε in training, returns mean in eval', () => {
    const layer = new GaussianSample();
    const n = 100_000;
    const mean = zeros([n]).add(3);
    const logVar = zeros([n]).add(Math.log(4));
    manualSeed(5);
    const z = values(layer.forward(mean, logVar));
    const m = z.reduce((a, b) => a + b, 0) / n;
    const sd = Math.sqrt(z.reduce((a, b) => a + (b - m) ** 2, 0) / n);
    expect(Math.abs(m - 3)).toBeLessThan(0.03);
    expect(Math.abs(sd - 2)).toBeLessThan(0.03);
    manualSeed(5);
    expect(values(layer.forward(mean, logVar))).toEqual(z);
    layer.eval();
    expect(layer.forward(mean, logVar)).toBe(mean);
    expect(Object.keys(layer.stateDict())).toEqual([]);
  });

  it('uses its own generator, validates shapes, and round-trips', () => {
    const a = new GaussianSample({ generator: new Generator(3) });
    const b = new GaussianSample({ generator: new Generator(3) });
    const mean = zeros([2, 3]);
    expect(values(a.forward(mean, mean))).toEqual(values(b.forward(mean, mean)));
    expect(() => a.forward(mean, zeros([3, 2]))).toThrow(ShapeError);
    expect(() => a.forward(mean, zeros([3, 2]))).toThrow(
      'GaussianSample: expected logVar shaped like mean [2, 3], got [3, 2]',
    );
    expect(a.config()).toEqual({});
    expectRoundTrip(a.eval(), mean, mean);
  });

  it('gaussianSample(mean, logVar, eps): gradients match finite differences', () => {
    expectGradientsMatch(gaussianSample, [rand64([3, 2], 1), rand64([3, 2], 2), rand64([3, 2], 3)]);
    // Through the module: d z / d mean = 1, d z / d logVar = 0.5·exp(0.5·logVar)·ε.
    const gen = new Generator(8);
    const layer = new GaussianSample({ generator: gen });
    const mean = rand64([4], 4);
    const logVar = rand64([4], 5);
    const state = gen.getState();
    const z = values(layer.forward(mean, logVar));
    gen.setState(state); // replay the same ε in the gradient pass
    const [gm, gl] = grad((m: Tensor, l: Tensor) => sum(layer.forward(m, l)))(mean, logVar);
    expectClose(gm, [1, 1, 1, 1]);
    const mv = values(mean);
    expectClose(
      gl,
      z.map((v, i) => 0.5 * (v - mv[i])),
      6,
    );
  });
});

/** p = tanh(xᵀ V[k] x + W x + b) by plain loops, for one sample. */
function composeByHand(c1: number[], c2: number[], V: number[], W: number[], b: number[]): number[] {
  const x = [...c1, ...c2];
  const d = c1.length;
  const n = 2 * d;
  return Array.from({ length: d }, (_, k) => {
    let t = b[k];
    for (let i = 0; i < n; i++) {
      t += W[k * n + i] * x[i];
      for (let j = 0; j < n; j++) t += x[i] * V[k * n * n + i * n + j] * x[j];
    }
    return Math.tanh(t);
  });
}

describe('BilinearTensor (RNTN composition)', () => {
  it('computes tanh(xᵀ V x + W x + b) for x = [c1; c2]', () => {
    // d = 1: x = [0.5, −1]; xᵀVx = 0.25 − 1 − 1.5 + 4 = 1.75; Wx = 0; b = 0.1.
    const layer = new BilinearTensor(1);
    layer.loadStateDict({
      V: tensor([
        [
          [1, 2],
          [3, 4],
        ],
      ]),
      W: tensor([[0.5, 0.25]]),
      b: tensor([0.1]),
    });
    expectClose(layer.forward(tensor([0.5]), tensor([-1])), [Math.tanh(1.85)], 6);
    layer.dispose();
  });

  it('matches a loop over samples, batched and unbatched, V not symmetric', () => {
    const d = 3;
    const layer = new BilinearTensor(d);
    const [V, W, b] = [layer.V, layer.W, layer.b as Tensor].map(values);
    const c1 = rand64([2, 2, d], 1).cast('float32');
    const c2 = rand64([2, 2, d], 2).cast('float32');
    const y = layer.forward(c1, c2);
    expect(y.shape).toEqual([2, 2, d]);
    const a1 = values(c1);
    const a2 = values(c2);
    const expected: number[] = [];
    for (let s = 0; s < 4; s++) {
      expected.push(...composeByHand(a1.slice(s * d, s * d + d), a2.slice(s * d, s * d + d), V, W, b));
    }
    expectClose(y, expected, 5);
    const one = layer.forward(tensor(a1.slice(0, d)), tensor(a2.slice(0, d)));
    expect(one.shape).toEqual([d]);
    expectClose(one, expected.slice(0, d), 5);
    layer.dispose();
  });

  it('has parameters V, W, b with Linear-style init, validates, and round-trips', () => {
    manualSeed(6);
    const layer = new BilinearTensor(8);
    expect(Object.keys(layer.stateDict())).toEqual(['V', 'W', 'b']);
    expect(layer.V.shape).toEqual([8, 16, 16]);
    expect(layer.W.shape).toEqual([8, 16]);
    expect(layer.b?.shape).toEqual([8]);
    expect(Math.max(...values(layer.V).map(Math.abs))).toBeLessThanOrEqual(1 / 16);
    expect(Math.max(...values(layer.V).map(Math.abs))).toBeGreaterThan(0.8 / 16);
    expect(Math.max(...values(layer.W).map(Math.abs))).toBeLessThanOrEqual(1 / 4);
    expect(() => layer.forward(zeros([2, 4]), zeros([2, 4]))).toThrow(
      'BilinearTensor: expected c1 [..., 8], got [2, 4]',
    );
    expect(() => layer.forward(zeros([2, 8]), zeros([3, 8]))).toThrow(
      'BilinearTensor: expected c1 and c2 of the same shape, got [2, 8] and [3, 8]',
    );
    expect(layer.config()).toEqual({ dim: 8, bias: true });
    expectRoundTrip(layer, rand64([8], 1), rand64([8], 2));
    const noBias = new BilinearTensor(2, { bias: false });
    expect(Object.keys(noBias.stateDict())).toEqual(['V', 'W']);
    expectRoundTrip(noBias, rand64([3, 2], 1), rand64([3, 2], 2));
    expectNoLeak(() => layer.forward(zeros([8]), zeros([8])));
    layer.dispose();
    noBias.dispose();
  });

  it('bilinearTensor(c1, c2, V, W, b): gradients match finite differences, shared weights too', () => {
    const d = 2;
    expectGradientsMatch(
      (c1, c2, V, W, b) => bilinearTensor(c1, c2, V, W, b),
      [
        rand64([3, d], 1),
        rand64([3, d], 2),
        rand64([d, 2 * d, 2 * d], 3),
        rand64([d, 2 * d], 4),
        rand64([d], 5),
      ],
    );
    // A two-level tree ((a b) c) with the same V, W, b at both nodes.
    expectGradientsMatch(
      (a, bb, c, V, W, b) => {
        const p1 = bilinearTensor(a, bb, V, W, b);
        return bilinearTensor(p1, c, V, W, b).add(p1);
      },
      [
        rand64([d], 6),
        rand64([d], 7),
        rand64([d], 8),
        rand64([d, 2 * d, 2 * d], 9),
        rand64([d, 2 * d], 10),
        rand64([d], 11),
      ],
    );
  });
});
