import { checkGradients } from '@axon/autograd';
import {
  fromSpec,
  MultiheadAttention,
  multiheadAttention,
  scaledDotProductAttention,
  scaledDotProductAttentionWithWeights,
  specOf,
} from '@axon/layers';
import {
  concat,
  eye,
  memory,
  ShapeError,
  slice,
  type Tensor,
  tensor,
  tidy,
  transpose,
  ValueError,
  zeros,
} from '@axon/tensor';
import { expectClose as sharedExpectClose } from '@axon/testing';
import { describe, expect, it } from 'vitest';

/** The shared `expectClose` (@axon/testing): |got − expected| <= tol · (1 + |expected|). */
function expectClose(t: Tensor, expected: ArrayLike<number>, tol = 1e-5): void {
  sharedExpectClose(t, expected, { rtol: tol, atol: tol });
}

/** Deterministic, kink-free test data. */
function data(shape: number[], seed: number, dtype: 'float32' | 'float64' = 'float32'): Tensor {
  const n = shape.reduce((a, b) => a * b, 1);
  return tensor(
    Array.from({ length: n }, (_, i) => Math.sin(i * 0.77 + seed) * 0.8 + Math.cos(i * 0.31 * seed) * 0.3),
    { shape, dtype },
  );
}

const E = Math.E;

describe('scaledDotProductAttention', () => {
  const q = () =>
    tensor([
      [1, 0],
      [0, 1],
    ]);
  const v = () =>
    tensor([
      [1, 2],
      [3, 4],
    ]);

  it('computes softmax(q kᵀ · scale) v (hand-computed)', () => {
    const { out, attn } = scaledDotProductAttentionWithWeights(q(), q(), v(), { scale: 1 });
    const p = E / (E + 1);
    expectClose(attn, [p, 1 - p, 1 - p, p]);
    expectClose(out, [p * 1 + (1 - p) * 3, p * 2 + (1 - p) * 4, (1 - p) * 1 + p * 3, (1 - p) * 2 + p * 4]);
  });

  it('scales by 1/√E by default', () => {
    const out = scaledDotProductAttention(q(), q(), v());
    const p = Math.exp(Math.SQRT1_2) / (Math.exp(Math.SQRT1_2) + 1);
    expectClose(out, [p + (1 - p) * 3, 2 * p + (1 - p) * 4, 1 - p + 3 * p, 2 * (1 - p) + 4 * p]);
  });

  it('gives future positions zero weight when causal', () => {
    const { out, attn } = scaledDotProductAttentionWithWeights(q(), q(), v(), { scale: 1, causal: true });
    const p = E / (E + 1);
    expectClose(attn, [1, 0, 1 - p, p]);
    expectClose(out, [1, 2, (1 - p) * 1 + p * 3, (1 - p) * 2 + p * 4]);

    const qs = data([2, 5, 3], 1);
    const ks = data([2, 5, 3], 2);
    const w = scaledDotProductAttentionWithWeights(qs, ks, data([2, 5, 4], 3), { causal: true }).attn;
    const a = w.dataSync();
    for (let b = 0; b < 2; b++) {
      for (let i = 0; i < 5; i++) {
        let rowSum = 0;
        for (let j = 0; j < 5; j++) {
          const value = a[b * 25 + i * 5 + j];
          rowSum += value;
          if (j > i) expect(value).toBe(0);
          else expect(value).toBeGreaterThan(0);
        }
        expect(rowSum).toBeCloseTo(1, 6);
      }
    }
  });

  it('applies a bool mask (true = attend) or an additive float mask', () => {
    const keep = tensor([
      [false, true],
      [true, true],
    ]);
    const { attn } = scaledDotProductAttentionWithWeights(q(), q(), v(), { scale: 1, attnMask: keep });
    const p = E / (E + 1);
    expectClose(attn, [0, 1, 1 - p, p]);
    const additive = tensor([
      [0, 1],
      [0, 0],
    ]);
    const { attn: a2 } = scaledDotProductAttentionWithWeights(q(), q(), v(), {
      scale: 1,
      attnMask: additive,
    });
    expectClose(a2, [0.5, 0.5, 1 - p, p]);
  });

  it('takes different lengths for queries and keys', () => {
    const out = scaledDotProductAttention(data([3, 4], 1), data([6, 4], 2), data([6, 5], 3), {
      causal: true,
    });
    expect(out.shape).toEqual([3, 5]);
  });

  it('rejects mismatched shapes naming the op', () => {
    expect(() => scaledDotProductAttention(zeros([2, 4, 6]), zeros([2, 4, 5]), zeros([2, 4, 6]))).toThrow(
      "scaledDotProductAttention: expected k [..., Tk, 6] (q's last dim), got [2, 4, 5]",
    );
    expect(() => scaledDotProductAttention(zeros([2, 4, 6]), zeros([2, 4, 6]), zeros([2, 3, 6]))).toThrow(
      ShapeError,
    );
    expect(() => scaledDotProductAttention(zeros([6]), zeros([2, 6]), zeros([2, 6]))).toThrow(ShapeError);
  });

  it('has correct gradients for q, k and v, with and without the causal mask', () => {
    const qs = data([2, 4, 3], 1, 'float64');
    const ks = data([2, 4, 3], 2, 'float64');
    const vs = data([2, 4, 5], 3, 'float64');
    for (const causal of [false, true]) {
      const r = checkGradients((a, b, c) => scaledDotProductAttention(a, b, c, { causal }), [qs, ks, vs]);
      expect(r.ok, r.message).toBe(true);
    }
  });
});

describe('multiheadAttention (functional)', () => {
  it('has correct gradients for the input and every projection', () => {
    const D = 4;
    const X = data([2, 3, D], 1, 'float64');
    const W = [2, 3, 4, 5].map((s) => data([D, D], s, 'float64'));
    const B = [6, 7, 8, 9].map((s) => data([D], s, 'float64'));
    for (const causal of [false, true]) {
      const r = checkGradients(
        (x, wq, wk, wv, wo, bq, bk, bv, bo) =>
          multiheadAttention(
            x,
            x,
            x,
            2,
            {
              qWeight: wq,
              kWeight: wk,
              vWeight: wv,
              outWeight: wo,
              qBias: bq,
              kBias: bk,
              vBias: bv,
              outBias: bo,
            },
            { causal },
          ).out,
        [X, ...W, ...B],
      );
      expect(r.ok, r.message).toBe(true);
    }
  });

  it('has correct gradients for cross-attention with other key/value sizes', () => {
    const q = data([2, 3, 4], 1, 'float64');
    const k = data([2, 5, 3], 2, 'float64');
    const v = data([2, 5, 6], 3, 'float64');
    const r = checkGradients(
      (qi, ki, vi, wq, wk, wv, wo) =>
        multiheadAttention(qi, ki, vi, 2, { qWeight: wq, kWeight: wk, vWeight: wv, outWeight: wo }).out,
      [
        q,
        k,
        v,
        data([4, 4], 4, 'float64'),
        data([4, 3], 5, 'float64'),
        data([4, 6], 6, 'float64'),
        data([4, 4], 7, 'float64'),
      ],
    );
    expect(r.ok, r.message).toBe(true);
  });
});

describe('MultiheadAttention', () => {
  it('names its parameters as torch and initialises them as torch', () => {
    const mha = new MultiheadAttention(8, 2);
    expect(Object.keys(mha.stateDict())).toEqual([
      'in_proj_weight',
      'in_proj_bias',
      'out_proj.weight',
      'out_proj.bias',
    ]);
    const sd = mha.stateDict();
    expect(sd.in_proj_weight.shape).toEqual([24, 8]);
    expect(sd.in_proj_bias.shape).toEqual([24]);
    expect(sd['out_proj.weight'].shape).toEqual([8, 8]);
    expectClose(sd.in_proj_bias, new Array(24).fill(0));
    expectClose(sd['out_proj.bias'], new Array(8).fill(0));
    const xavier = Math.sqrt(6 / (8 + 24));
    expect(Math.max(...Array.from(sd.in_proj_weight.dataSync(), Math.abs))).toBeLessThanOrEqual(xavier);
    expect(Math.max(...Array.from(sd['out_proj.weight'].dataSync(), Math.abs))).toBeLessThanOrEqual(
      1 / Math.sqrt(8),
    );
    expect(mha.numParameters()).toBe(24 * 8 + 24 + 64 + 8);

    const cross = new MultiheadAttention(4, 1, { kdim: 3, vdim: 5, bias: false });
    expect(Object.keys(cross.stateDict())).toEqual([
      'q_proj_weight',
      'k_proj_weight',
      'v_proj_weight',
      'out_proj.weight',
    ]);
    expect(cross.stateDict().k_proj_weight.shape).toEqual([4, 3]);
    expect(cross.stateDict().v_proj_weight.shape).toEqual([4, 5]);
  });

  it('with identity projections is per-head attention over column blocks, scale 1/√headDim', () => {
    const D = 4;
    const mha = new MultiheadAttention(D, 2);
    tidy(() =>
      mha.loadStateDict({
        in_proj_weight: concat([eye(D), eye(D), eye(D)], 0),
        in_proj_bias: zeros([3 * D]),
        'out_proj.weight': eye(D),
        'out_proj.bias': tensor([0, 0, 0, 1]),
      }),
    );
    const x = data([2, 3, D], 1);
    for (const causal of [false, true]) {
      const out = mha.forward(x, null, null, { causal });
      const heads = [0, 1].map((h) => {
        const xh = slice(x, [0, 0, 2 * h], [2, 3, 2 * h + 2]);
        return scaledDotProductAttention(xh, xh, xh, { causal, scale: 1 / Math.SQRT2 });
      });
      const expected = Array.from(
        concat(heads, 2)
          .add(tensor([0, 0, 0, 1]))
          .dataSync(),
      );
      expectClose(out, expected);
    }
  });

  it('matches the functional core, and takes [T, B, D] and unbatched [T, D] inputs', () => {
    const mha = new MultiheadAttention(6, 3);
    tidy(() => {
      const sd = mha.stateDict();
      mha.loadStateDict({ ...sd, in_proj_bias: data([18], 4), 'out_proj.bias': data([6], 5) });
    });
    const x = data([2, 4, 6], 2);
    const out = mha.forward(x);
    expectClose(out, Array.from(multiheadAttention(x, x, x, 3, mha.weights()).out.dataSync()));

    const seqFirst = fromSpec({
      ...specOf(mha),
      config: { ...mha.config(), batchFirst: false },
    }) as MultiheadAttention;
    tidy(() => seqFirst.loadStateDict(mha.stateDict()));
    expectClose(transpose(seqFirst.forward(transpose(x, 0, 1)), 0, 1), Array.from(out.dataSync()));

    const single = mha.forward(slice(x, [1, 0, 0], [2, 4, 6]).reshape([4, 6]));
    expect(single.shape).toEqual([4, 6]);
    expectClose(single, Array.from(out.dataSync()).slice(24));
  });

  it('returns the attention weights on request: averaged over heads by default, or per head', () => {
    const mha = new MultiheadAttention(4, 2);
    const x = data([2, 3, 4], 3);
    const plain = mha.forward(x, x, x, { causal: true });
    const { out, attn } = mha.forward(x, x, x, {
      causal: true,
      needWeights: true,
      averageAttnWeights: false,
    });
    expectClose(out, Array.from(plain.dataSync()));
    expect(attn.shape).toEqual([2, 2, 3, 3]);
    const a = attn.dataSync();
    for (let bh = 0; bh < 4; bh++) {
      for (let i = 0; i < 3; i++) for (let j = i + 1; j < 3; j++) expect(a[bh * 9 + i * 3 + j]).toBe(0);
    }
    const avg = mha.forward(x, null, null, { causal: true, needWeights: true }).attn;
    expect(avg.shape).toEqual([2, 3, 3]);
    expectClose(avg, Array.from(attn.mean(1).dataSync()));
  });

  it('in causal mode, later inputs do not change earlier outputs', () => {
    const mha = new MultiheadAttention(4, 2);
    const x = data([1, 4, 4], 1);
    const changed = concat([slice(x, [0, 0, 0], [1, 3, 4]), tensor([[[9, -9, 9, -9]]])], 1);
    const y1 = mha.forward(x, null, null, { causal: true });
    const y2 = mha.forward(changed, null, null, { causal: true });
    expectClose(slice(y2, [0, 0, 0], [1, 3, 4]), Array.from(slice(y1, [0, 0, 0], [1, 3, 4]).dataSync()));
    const n1 = mha.forward(x);
    const n2 = mha.forward(changed);
    expect(Math.abs(n1.dataSync()[0] - n2.dataSync()[0])).toBeGreaterThan(1e-4);
  });

  it('applies a key padding mask and a bool attn mask (true = blocked)', () => {
    const mha = new MultiheadAttention(4, 1);
    const x = data([2, 3, 4], 2);
    const pad = tensor([
      [false, false, true],
      [false, false, false],
    ]);
    const { attn } = mha.forward(x, null, null, { keyPaddingMask: pad, needWeights: true });
    const a = attn.dataSync();
    for (let i = 0; i < 3; i++) {
      expect(a[i * 3 + 2]).toBe(0);
      expect(a[9 + i * 3 + 2]).toBeGreaterThan(0);
    }
    const blocked = tensor([
      [false, true, true],
      [false, false, true],
      [false, false, false],
    ]);
    const viaMask = mha.forward(x, null, null, { attnMask: blocked });
    expectClose(viaMask, Array.from(mha.forward(x, null, null, { causal: true }).dataSync()));
  });

  it('frees its temporaries', () => {
    const mha = new MultiheadAttention(4, 2);
    const x = data([2, 3, 4], 2);
    const before = memory().numTensors;
    tidy(() => {
      mha.forward(x, null, null, { causal: true, needWeights: true });
    });
    expect(memory().numTensors).toBe(before);
  });

  it('round-trips its config through specOf / fromSpec', () => {
    const mha = new MultiheadAttention(6, 2, { bias: false, kdim: 3, vdim: 5, batchFirst: false });
    const spec = specOf(mha);
    expect(spec).toEqual({
      type: 'MultiheadAttention',
      config: { embedDim: 6, numHeads: 2, bias: false, kdim: 3, vdim: 5, batchFirst: false },
    });
    const copy = fromSpec(JSON.parse(JSON.stringify(spec))) as MultiheadAttention;
    expect(copy).toBeInstanceOf(MultiheadAttention);
    expect(copy.config()).toEqual(mha.config());
    expect(Object.keys(copy.stateDict())).toEqual(Object.keys(mha.stateDict()));
  });

  it('rejects bad arguments with the layer name and the shapes', () => {
    expect(() => new MultiheadAttention(8, 3)).toThrow(ValueError);
    expect(() => new MultiheadAttention(8, 3)).toThrow('divisible');
    const mha = new MultiheadAttention(8, 2);
    expect(() => mha.forward(zeros([2, 4, 7]))).toThrow(
      'MultiheadAttention: expected query [B, T, 8], got [2, 4, 7]',
    );
    expect(() => mha.forward(zeros([2, 4, 8]), zeros([2, 4]))).toThrow(
      'MultiheadAttention: expected key [B, S, 8], got [2, 4]',
    );
    expect(() => mha.forward(zeros([2, 4, 8]), zeros([3, 5, 8]))).toThrow(ShapeError);
    expect(() => mha.forward(zeros([8]))).toThrow(ShapeError);
    expect(() => mha.forward(zeros([2, 4, 8]), null, null, { keyPaddingMask: zeros([2, 3]) })).toThrow(
      'multiheadAttention: expected keyPaddingMask [2, 4], got [2, 3]',
    );
    const seqFirst = new MultiheadAttention(8, 2, { batchFirst: false });
    expect(() => seqFirst.forward(zeros([4, 2, 6]))).toThrow('expected query [T, B, 8], got [4, 2, 6]');
  });
});
