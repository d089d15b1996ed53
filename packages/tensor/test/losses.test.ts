import {
  binaryCrossEntropy,
  binaryCrossEntropyWithLogits,
  crossEntropy,
  DTypeError,
  ENGINE,
  hinge,
  klDivGaussian,
  logSoftmax,
  memory,
  mse,
  multiMargin,
  nll,
  randn,
  ShapeError,
  type Tensor,
  tensor,
  ValueError,
} from '@axon/tensor';
import { describe, expect, it, vi } from 'vitest';

const close = (a: ArrayLike<number>, b: ArrayLike<number>, tol = 1e-9) => {
  expect(a.length).toBe(b.length);
  for (let i = 0; i < a.length; i++) {
    expect(Math.abs(a[i] - b[i]), `element ${i}: ${a[i]} vs ${b[i]}`).toBeLessThanOrEqual(
      tol * (1 + Math.abs(b[i])),
    );
  }
};
const f64 = (data: number[], shape: number[]) => tensor(data, { shape, dtype: 'float64' });
const i32 = (data: number[], shape = [data.length]) => tensor(data, { shape, dtype: 'int32' });
const value = (t: Tensor) => t.item();

/** Reference log-softmax of the rows of a row-major [N, C] array, in plain JS. */
function logSoftmaxRows(x: number[], c: number): number[][] {
  const rows: number[][] = [];
  for (let n = 0; n < x.length / c; n++) {
    const row = x.slice(n * c, (n + 1) * c);
    const m = Math.max(...row);
    const lse = m + Math.log(row.reduce((s, v) => s + Math.exp(v - m), 0));
    rows.push(row.map((v) => v - lse));
  }
  return rows;
}

// torch's losses/cross_entropy_class_weights case.
const ceLogits = [
  0.1191006900156369, -6.129698136306512, 0.2037954018686227, -2.1820699822675986, -3.2005150887635003,
  1.0886403042170143, 2.9062706615372518, 0.6606307010838617, 1.9940760742772023, -1.7042889937071954,
  -2.410279063009314, -1.7800141670250038, 3.040832454159782, 0.5766608859493915, -1.3433910696867501,
  -1.4233901787281846, -0.863335842516219, -0.12011898533031422, 2.3823769658953067, 0.08081817613199234,
];
const ceTarget = [2, 0, 1, 2, 3];
const ceWeight = [1.8174756542490604, 1.71768733851385, 1.3359208400427902, 1.1164783187264729];
const logp = logSoftmaxRows(ceLogits, 4);

describe('mse', () => {
  const x = f64([1, 2, 3, 4], [2, 2]);
  const t = f64([0, 2, 5, 3.5], [2, 2]);
  it('reduces by mean (default), sum or none', () => {
    expect(value(mse(x, t))).toBeCloseTo((1 + 0 + 4 + 0.25) / 4, 12);
    expect(value(mse(x, t, { reduction: 'sum' }))).toBeCloseTo(5.25, 12);
    expect(mse(x, t, { reduction: 'none' }).arraySync()).toEqual([
      [1, 0],
      [4, 0.25],
    ]);
  });
  it('accepts an int32 target and validates shape and reduction', () => {
    expect(value(mse(f64([1, 2], [2]), i32([0, 0])))).toBeCloseTo(2.5, 12);
    expect(() => mse(x, f64([1, 2], [2]))).toThrow(ShapeError);
    expect(() => mse(x, f64([1, 2], [2]))).toThrow("mse: expected 'target' of shape [2, 2], got [2]");
    expect(() => mse(x, t, { reduction: 'avg' as never })).toThrow(
      "mse: reduction must be one of 'none', 'mean', 'sum', got 'avg'",
    );
    expect(() => mse(i32([1, 2]), i32([1, 2]))).toThrow(
      "mse: expected 'input' to be float32 or float64, got int32",
    );
  });
});

describe('crossEntropy with class indices', () => {
  const x = f64(ceLogits, [5, 4]);
  const t = i32(ceTarget);
  const nllRows = ceTarget.map((c, n) => -logp[n][c]);

  it('averages −log softmax at the target (torch mean)', () => {
    close([value(crossEntropy(x, t))], [nllRows.reduce((a, b) => a + b) / 5]);
    close(crossEntropy(x, t, { reduction: 'none' }).dataSync(), nllRows);
    close([value(crossEntropy(x, t, { reduction: 'sum' }))], [nllRows.reduce((a, b) => a + b)]);
  });

  it('divides a weighted mean by the summed target weights (torch value)', () => {
    const w = f64(ceWeight, [4]);
    close([value(crossEntropy(x, t, { weight: w }))], [3.7835575323402777], 1e-12);
    const wn = ceTarget.map((c) => ceWeight[c]);
    close(
      crossEntropy(x, t, { weight: w, reduction: 'none' }).dataSync(),
      nllRows.map((l, n) => l * wn[n]),
    );
  });

  it('skips ignoreIndex positions, in the sum and in the mean divisor', () => {
    const tIgn = i32([2, -100, 1, -100, 3]);
    close([value(crossEntropy(x, tIgn))], [(nllRows[0] + nllRows[2] + nllRows[4]) / 3]);
    close(crossEntropy(x, tIgn, { reduction: 'none' }).dataSync(), [
      nllRows[0],
      0,
      nllRows[2],
      0,
      nllRows[4],
    ]);
    // An ignoreIndex that is also a valid class (here 2) is still ignored.
    const w = f64(ceWeight, [4]);
    const expected =
      (nllRows[1] * ceWeight[0] + nllRows[2] * ceWeight[1] + nllRows[4] * ceWeight[3]) /
      (ceWeight[0] + ceWeight[1] + ceWeight[3]);
    close([value(crossEntropy(x, t, { weight: w, ignoreIndex: 2 }))], [expected]);
  });

  it('label smoothing mixes in the uniform distribution (torch value)', () => {
    // torch's losses/cross_entropy_label_smoothing case, ε = 0.1.
    const xs = f64(
      [
        -1.2120176669110874, 1.1594126411174352, 2.3555910082132807, 1.5220544969074832, 0.28789972160715394,
        -0.7993066019661, 0.0532119865642096, -0.5899381651884646, 1.5108682282112775, 0.0801674150319161,
        -1.557179474654299, 0.6466138037065748, -1.061242246425909, 3.4835095153329374, -3.9413984296365796,
        3.120012265841824, -1.0060281399189894, -4.598129426027014, 1.7134954485984621, -0.48887536449990443,
      ],
      [5, 4],
    );
    close(
      [value(crossEntropy(xs, i32([0, 0, 3, 0, 3]), { labelSmoothing: 0.1 }))],
      [2.742852767114871],
      1e-12,
    );
  });

  it('label smoothing with weights and ignored positions follows torch', () => {
    const eps = 0.2;
    const tIgn = [2, -100, 1, 2, 3];
    const w = f64(ceWeight, [4]);
    let num = 0;
    let den = 0;
    const none: number[] = [];
    for (const [n, c] of tIgn.entries()) {
      if (c < 0) {
        none.push(0);
        continue;
      }
      const smooth = -logp[n].reduce((s, l, k) => s + ceWeight[k] * l, 0);
      const l = (1 - eps) * -logp[n][c] * ceWeight[c] + (eps / 4) * smooth;
      none.push(l);
      num += l;
      den += ceWeight[c];
    }
    close([value(crossEntropy(x, i32(tIgn), { weight: w, labelSmoothing: eps }))], [num / den]);
    close(crossEntropy(x, i32(tIgn), { weight: w, labelSmoothing: eps, reduction: 'none' }).dataSync(), none);
    close([value(crossEntropy(x, i32(tIgn), { weight: w, labelSmoothing: eps, reduction: 'sum' }))], [num]);
  });

  it('takes the class axis at dim 1 for [N, C, d1] logits (torch value)', () => {
    const xs = f64(
      [
        -2.13885892827069, 0.916434951871692, 0.8997782665378067, 4.676864682830114, -0.37347330952468105,
        0.33446653479895805, 3.1878891343874107, -2.8867545510465114, -1.923326326745047, 0.5273950664467077,
        0.26893117628120033, 1.0367898936089983, 0.6198675125209634, -2.014935381463851, 1.9459667394469817,
        1.2802634847346326, -2.7488893014843288, 1.177469516563927, -1.7793246464916248, -0.36337935913011943,
        -1.9631358800518843, 0.4283032700740015, -1.7769666628484402, -3.4319632576290213,
      ],
      [2, 4, 3],
    );
    const ts = i32([2, 1, 0, 1, 1, 1], [2, 3]);
    close([value(crossEntropy(xs, ts))], [1.5465067083772224], 1e-12);
    expect(crossEntropy(xs, ts, { reduction: 'none' }).shape).toEqual([2, 3]);
  });

  it('accepts unbatched [C] logits with a 0-d target', () => {
    const row = f64(ceLogits.slice(0, 4), [4]);
    const l = crossEntropy(row, tensor(2, 'int32'), { reduction: 'none' });
    expect(l.shape).toEqual([]);
    close([l.item()], [nllRows[0]]);
    close([value(crossEntropy(row, tensor(2, 'int32')))], [nllRows[0]]);
  });

  it('stays finite for huge logits in float32', () => {
    const l = crossEntropy(tensor([[1000, 0, -1000]]), i32([1]));
    expect(l.item()).toBeCloseTo(1000, 3);
  });
});

describe('crossEntropy on logits [N, C]: the fused kernel', () => {
  // The cpu backend fuses the common case into one SoftmaxCrossEntropy kernel; log-softmax then
  // nll is the composed reference it must equal (float64 arithmetic either way, rounded once here).
  const x32 = randn([37, 11]);
  const targets = Array.from({ length: 37 }, (_, i) => (i * 7) % 11);
  const cases: [string, number[], number | undefined][] = [
    ['every row counted', targets, undefined],
    ['rows with the default ignoreIndex', targets.map((t, i) => (i % 5 === 0 ? -100 : t)), undefined],
    ['an ignoreIndex that is a class', targets, 3],
  ];
  for (const [name, tgt, ignoreIndex] of cases) {
    for (const reduction of ['mean', 'sum', 'none'] as const) {
      it(`${name}, reduction '${reduction}': one kernel, equal to logSoftmax + nll`, () => {
        const t = i32(tgt);
        const spy = vi.spyOn(ENGINE, 'runKernel');
        const fused = crossEntropy(x32, t, { reduction, ignoreIndex });
        expect(spy.mock.calls.map((c) => c[0])).toEqual(['SoftmaxCrossEntropy']);
        spy.mockRestore();
        const reference = nll(logSoftmax(x32, 1), t, { reduction, ignoreIndex });
        expect(fused.shape).toEqual(reference.shape);
        expect(fused.dtype).toBe('float32');
        close(fused.dataSync(), reference.dataSync(), 1e-6);
      });
    }
  }

  it('float64 logits stay float64, to float64 precision', () => {
    const x = f64(ceLogits, [5, 4]);
    const fused = crossEntropy(x, i32([2, 0, 1, 2, 3]), { reduction: 'none' });
    expect(fused.dtype).toBe('float64');
    close(
      fused.dataSync(),
      nll(logSoftmax(x, 1), i32([2, 0, 1, 2, 3]), { reduction: 'none' }).dataSync(),
      1e-14,
    );
  });

  it("a mean over no counted rows is NaN, as torch's", () => {
    expect(crossEntropy(randn([2, 11]), i32([-100, -100])).item()).toBeNaN();
  });
});

describe('crossEntropy with class probabilities', () => {
  const x = f64(ceLogits, [5, 4]);
  const probs = [0.1, 0.2, 0.3, 0.4];
  const p = f64([...probs, ...probs, ...probs, ...probs, ...probs], [5, 4]);
  const rows = logp.map((r) => -r.reduce((s, l, k) => s + probs[k] * l, 0));

  it('averages −Σ t·logp over positions', () => {
    close([value(crossEntropy(x, p))], [rows.reduce((a, b) => a + b) / 5]);
    close(crossEntropy(x, p, { reduction: 'none' }).dataSync(), rows);
  });

  it('applies weights per class but still divides the mean by N (torch)', () => {
    const w = f64(ceWeight, [4]);
    const wr = logp.map((r) => -r.reduce((s, l, k) => s + ceWeight[k] * probs[k] * l, 0));
    close([value(crossEntropy(x, p, { weight: w }))], [wr.reduce((a, b) => a + b) / 5]);
  });

  it('smooths the target towards uniform', () => {
    const eps = 0.3;
    const sm = logp.map((r) => -r.reduce((s, l, k) => s + (probs[k] * (1 - eps) + eps / 4) * l, 0));
    close(
      [value(crossEntropy(x, p, { labelSmoothing: eps, reduction: 'sum' }))],
      [sm.reduce((a, b) => a + b)],
    );
  });

  it('equals the index form for one-hot probabilities', () => {
    const oneHot = ceTarget.flatMap((c) => [0, 1, 2, 3].map((k) => (k === c ? 1 : 0)));
    close([value(crossEntropy(x, f64(oneHot, [5, 4])))], [value(crossEntropy(x, i32(ceTarget)))]);
  });
});

describe('crossEntropy and nll validation', () => {
  const x = f64(ceLogits, [5, 4]);
  it('checks the target dtype and shape', () => {
    expect(() => crossEntropy(x, tensor([true, false]))).toThrow(DTypeError);
    expect(() => crossEntropy(x, tensor([true, false]))).toThrow(
      "crossEntropy: expected 'target' of class indices to be int32, got bool",
    );
    expect(() => crossEntropy(x, i32([0, 1, 2, 3]))).toThrow(
      "crossEntropy: expected 'target' of shape [N, d1, ...] = [5] for input [5, 4], got [4]",
    );
    expect(() => crossEntropy(x, f64([0, 1, 2, 3, 0], [5]))).toThrow(
      "crossEntropy: expected float 'target' of class probabilities shaped like the logits [5, 4], got [5] (class-index targets must be int32)",
    );
    expect(() => crossEntropy(f64([1, 2, 3, 4, 5, 6], [1, 2, 3]), i32([0, 1], [1, 2]))).toThrow(ShapeError);
    expect(() => crossEntropy(tensor(1), i32([0]))).toThrow(
      "crossEntropy: expected 'logits' of shape [N, C, ...] or [C], got []",
    );
    expect(() => crossEntropy(i32([1, 2]), i32([0]))).toThrow(DTypeError);
  });

  it('names the out-of-range class value', () => {
    expect(() => crossEntropy(x, i32([0, 1, 4, 0, 0]))).toThrow(ValueError);
    expect(() => crossEntropy(x, i32([0, 1, 4, 0, 0]))).toThrow(
      'crossEntropy: target value 4 is out of range for 4 classes',
    );
    expect(() => crossEntropy(x, i32([0, -1, 0, 0, 0]))).toThrow(
      'crossEntropy: target value -1 is out of range',
    );
    expect(() => nll(x, i32([0, 7, 0, 0, 0]))).toThrow('nll: target value 7 is out of range for 4 classes');
  });

  it('checks weight, labelSmoothing, ignoreIndex and reduction', () => {
    const t = i32(ceTarget);
    expect(() => crossEntropy(x, t, { weight: f64([1, 2, 3], [3]) })).toThrow(
      "crossEntropy: expected 'weight' of shape [C] = [4], got [3]",
    );
    expect(() => crossEntropy(x, t, { labelSmoothing: 1.5 })).toThrow(
      'crossEntropy: labelSmoothing must be a number in [0, 1], got 1.5',
    );
    expect(() => crossEntropy(x, t, { ignoreIndex: 0.5 })).toThrow(
      "crossEntropy: expected 'ignoreIndex' to be an integer, got 0.5",
    );
    expect(() => crossEntropy(x, t, { reduction: 'batchmean' as never })).toThrow(
      "crossEntropy: reduction must be one of 'none', 'mean', 'sum', got 'batchmean'",
    );
    expect(() => crossEntropy(x, f64(new Array(20).fill(0.25), [5, 4]), { ignoreIndex: 1 })).toThrow(
      'crossEntropy: ignoreIndex 1 is not supported with class-probability targets',
    );
    expect(() => nll(x, f64([0, 1, 2, 3, 0], [5]))).toThrow(
      "nll: expected 'target' of class indices to be int32, got float64",
    );
  });
});

describe('nll', () => {
  const lp = f64(logp.flat(), [5, 4]);
  it('picks −logProbs at the target, with weights and ignoreIndex', () => {
    const rows = ceTarget.map((c, n) => -logp[n][c]);
    close([value(nll(lp, i32(ceTarget)))], [rows.reduce((a, b) => a + b) / 5]);
    close([value(nll(lp, i32(ceTarget), { reduction: 'sum' }))], [rows.reduce((a, b) => a + b)]);
    const w = f64(ceWeight, [4]);
    close([value(nll(lp, i32(ceTarget), { weight: w }))], [3.7835575323402777], 1e-12);
    close(nll(lp, i32([2, 0, 1, 2, 3]), { ignoreIndex: 2, reduction: 'none' }).dataSync(), [
      0,
      rows[1],
      rows[2],
      0,
      rows[4],
    ]);
  });
  it('leaves only its result alive (temporaries are freed)', () => {
    const t = i32(ceTarget);
    const w = f64(ceWeight, [4]);
    const logits = f64(ceLogits, [5, 4]);
    const before = memory().numTensors;
    const a = nll(lp, t, { weight: w, ignoreIndex: 1 });
    const b = crossEntropy(logits, t, { weight: w, labelSmoothing: 0.1 });
    expect(memory().numTensors).toBe(before + 2);
    a.dispose();
    b.dispose();
  });
});

describe('binaryCrossEntropy', () => {
  const p = [0.1, 0.8, 0.5, 0.999];
  const t = [0, 1, 0.3, 1];
  const bce = (pi: number, ti: number) =>
    -(ti * Math.max(Math.log(pi), -100) + (1 - ti) * Math.max(Math.log(1 - pi), -100));

  it('matches −(t·log p + (1 − t)·log(1 − p))', () => {
    const rows = p.map((pi, i) => bce(pi, t[i]));
    close(binaryCrossEntropy(f64(p, [4]), f64(t, [4]), { reduction: 'none' }).dataSync(), rows);
    close([value(binaryCrossEntropy(f64(p, [2, 2]), f64(t, [2, 2])))], [rows.reduce((a, b) => a + b) / 4]);
    const w = f64([1, 2], [2]);
    close(
      [value(binaryCrossEntropy(f64(p, [2, 2]), f64(t, [2, 2]), { weight: w, reduction: 'sum' }))],
      [rows[0] + 2 * rows[1] + rows[2] + 2 * rows[3]],
    );
  });

  it('clamps each log at −100 so p = 0 or 1 stays finite (torch)', () => {
    close(
      binaryCrossEntropy(f64([0, 1, 0, 1], [4]), f64([1, 0, 0, 1], [4]), { reduction: 'none' }).dataSync(),
      [100, 100, 0, 0],
    );
  });

  it('validates its operands', () => {
    expect(() => binaryCrossEntropy(f64(p, [4]), f64(t, [2, 2]))).toThrow(
      "binaryCrossEntropy: expected 'target' of shape [4], got [2, 2]",
    );
    expect(() => binaryCrossEntropy(f64(p, [4]), f64(t, [4]), { weight: f64([1, 2, 3], [3]) })).toThrow(
      "binaryCrossEntropy: expected 'weight' to broadcast to [4], got [3]",
    );
    expect(() => binaryCrossEntropy(i32([0, 1]), i32([0, 1]))).toThrow(DTypeError);
  });

  it('refuses input or target outside [0, 1], NaN included, as torch', () => {
    expect(() => binaryCrossEntropy(f64([0.2, 1.5], [2]), f64([0, 1], [2]))).toThrow(
      new ValueError(
        'binaryCrossEntropy: all elements of input should be between 0 and 1, got 1.5 at index 1',
      ),
    );
    expect(() => binaryCrossEntropy(f64([0.2, 0.5], [2]), f64([-0.25, 1], [2]))).toThrow(
      new ValueError(
        'binaryCrossEntropy: all elements of target should be between 0 and 1, got -0.25 at index 0',
      ),
    );
    expect(() => binaryCrossEntropy(f64([Number.NaN], [1]), f64([1], [1]))).toThrow(
      'binaryCrossEntropy: all elements of input should be between 0 and 1, got NaN at index 0',
    );
    // int32 targets 0 and 1, and the bounds themselves, are fine.
    expect(value(binaryCrossEntropy(f64([0, 1], [2]), i32([0, 1])))).toBe(0);
  });
});

describe('binaryCrossEntropyWithLogits', () => {
  const x = [2.5, -0.7, 0, -30, 40];
  const t = [1, 0, 0.5, 1, 0];
  const sig = (v: number) => 1 / (1 + Math.exp(-v));

  it('equals BCE of sigmoid(x), stably for large |x|', () => {
    // log σ(x) = −softplus(−x), log(1 − σ(x)) = −softplus(x), written stably for the reference.
    const sp = (v: number) => Math.max(v, 0) + Math.log1p(Math.exp(-Math.abs(v)));
    const rows = x.map((v, i) => t[i] * sp(-v) + (1 - t[i]) * sp(v));
    close(
      binaryCrossEntropyWithLogits(f64(x, [5]), f64(t, [5]), { reduction: 'none' }).dataSync(),
      rows,
      1e-12,
    );
    close([rows[0]], [-Math.log(sig(2.5))], 1e-12);
    close(
      binaryCrossEntropyWithLogits(tensor([-100, 100]), tensor([1, 0]), { reduction: 'none' }).dataSync(),
      [100, 100],
      1e-6,
    );
  });

  it('weights the positive term by posWeight along the last dim (torch value)', () => {
    const logits = f64(
      [
        2.961019328356275, 0.2952845261642011, -3.3326487195186854, 3.0233534942694433, -0.5154671515431274,
        -2.172084886683616, 2.1437782777626806, -2.7239886561602358, 5.135898425465925, 0.5109512757705128,
        1.6997086381505646, -1.2211189362884218, -3.3224992923155785, -1.6232370508220746,
        -1.6330625499477338,
      ],
      [5, 3],
    );
    const target = f64([0, 0, 0, 1, 1, 0, 1, 0, 1, 0, 0, 1, 1, 1, 0], [5, 3]);
    const pw = f64([1.395083053155652, 1.7649257975136763, 2.419543360116271], [3]);
    close(
      [value(binaryCrossEntropyWithLogits(logits, target, { posWeight: pw }))],
      [1.3676594942739735],
      1e-12,
    );
  });

  it('multiplies by weight and validates posWeight', () => {
    const xs = f64([0.3, -1.2], [2]);
    const ts = f64([1, 0], [2]);
    const plain = binaryCrossEntropyWithLogits(xs, ts, { reduction: 'none' }).dataSync();
    close(binaryCrossEntropyWithLogits(xs, ts, { reduction: 'none', weight: f64([2, 3], [2]) }).dataSync(), [
      2 * plain[0],
      3 * plain[1],
    ]);
    expect(() => binaryCrossEntropyWithLogits(xs, ts, { posWeight: f64([1, 2, 3], [3]) })).toThrow(
      "binaryCrossEntropyWithLogits: expected 'posWeight' to broadcast to [2], got [3]",
    );
  });
});

describe('klDivGaussian', () => {
  const mu = [0.5, -1, 0, 2, 0.1, -0.3];
  const lv = [0.2, -0.5, 0, 1, -2, 0.7];
  const terms = mu.map((m, i) => -0.5 * (1 + lv[i] - m * m - Math.exp(lv[i])));
  const total = terms.reduce((a, b) => a + b);

  it('reduces by sum, batchmean, mean or none', () => {
    const m = f64(mu, [2, 3]);
    const l = f64(lv, [2, 3]);
    close([value(klDivGaussian(m, l, { reduction: 'sum' }))], [total]);
    close([value(klDivGaussian(m, l, { reduction: 'batchmean' }))], [total / 2]);
    close([value(klDivGaussian(m, l))], [total / 6]);
    close(klDivGaussian(m, l, { reduction: 'none' }).dataSync(), terms);
    expect(value(klDivGaussian(f64([0, 0], [2]), f64([0, 0], [2])))).toBe(0);
  });

  it('validates shapes and reduction', () => {
    expect(() => klDivGaussian(f64(mu, [2, 3]), f64(lv, [6]))).toThrow(
      "klDivGaussian: expected 'logVar' of shape [2, 3], got [6]",
    );
    expect(() => klDivGaussian(f64(mu, [6]), f64(lv, [6]), { reduction: 'avg' as never })).toThrow(
      "klDivGaussian: reduction must be one of 'none', 'mean', 'sum', 'batchmean', got 'avg'",
    );
  });
});

describe('hinge', () => {
  it('is max(0, margin − t·x)', () => {
    const x = f64([0.5, -2, 3, -0.2], [4]);
    const t = i32([1, -1, -1, 1]);
    close(hinge(x, t, { reduction: 'none' }).dataSync(), [0.5, 0, 4, 1.2]);
    close([value(hinge(x, t))], [5.7 / 4]);
    close(hinge(x, t, { margin: 2, reduction: 'none' }).dataSync(), [1.5, 0, 5, 2.2]);
    expect(() => hinge(x, t, { margin: Number.POSITIVE_INFINITY })).toThrow(
      "hinge: expected 'margin' to be a finite number, got Infinity",
    );
    expect(() => hinge(x, i32([1, -1]))).toThrow("hinge: expected 'target' of shape [4], got [2]");
  });
});

describe('multiMargin', () => {
  const x = [0.1, 0.8, 0.2, -0.5, 1.5, 0.3, 0.2, 0.25, 0.0];
  const y = [1, 0, 2];
  const ref = (p: 1 | 2, margin: number, w?: number[]) =>
    y.map((yn, n) => {
      let s = 0;
      for (let i = 0; i < 3; i++) {
        if (i === yn) continue;
        const z = Math.max(0, margin - x[n * 3 + yn] + x[n * 3 + i]);
        s += p === 1 ? z : z * z;
      }
      return ((w ? w[yn] : 1) * s) / 3;
    });

  it('sums the margin violations of the other classes, divided by C', () => {
    const xs = f64(x, [3, 3]);
    close(multiMargin(xs, i32(y), { reduction: 'none' }).dataSync(), ref(1, 1));
    close([value(multiMargin(xs, i32(y)))], [ref(1, 1).reduce((a, b) => a + b) / 3]);
    close(multiMargin(xs, i32(y), { p: 2, margin: 0.5, reduction: 'none' }).dataSync(), ref(2, 0.5));
    const w = [0.5, 2, 1.5];
    close(multiMargin(xs, i32(y), { weight: f64(w, [3]), reduction: 'none' }).dataSync(), ref(1, 1, w));
    const single = multiMargin(f64(x.slice(0, 3), [3]), tensor(1, 'int32'), { reduction: 'none' });
    expect(single.shape).toEqual([]);
    close([single.item()], [ref(1, 1)[0]]);
  });

  it('validates p, shapes and the class range', () => {
    const xs = f64(x, [3, 3]);
    expect(() => multiMargin(xs, i32(y), { p: 3 as never })).toThrow('multiMargin: p must be 1 or 2, got 3');
    expect(() => multiMargin(xs, i32([0, 3, 1]))).toThrow(
      'multiMargin: target value 3 is out of range for 3 classes',
    );
    expect(() => multiMargin(f64(x, [1, 3, 3]), i32(y))).toThrow(
      "multiMargin: expected 'input' of shape [N, C] or [C], got [1, 3, 3]",
    );
    expect(() => multiMargin(xs, i32([0, 1]))).toThrow(
      "multiMargin: expected 'target' of shape [3] for input [3, 3], got [2]",
    );
    expect(() => multiMargin(xs, f64(y, [3]))).toThrow(DTypeError);
  });
});
