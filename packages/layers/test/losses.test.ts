import { checkGradients } from '@axon/autograd';
import {
  BCELoss,
  BCEWithLogitsLoss,
  CrossEntropyLoss,
  fromSpec,
  HingeLoss,
  KLDivGaussianLoss,
  type Loss,
  MSELoss,
  MultiMarginLoss,
  NLLLoss,
  specOf,
} from '@axon/layers';
import { DTypeError, memory, ShapeError, type Tensor, tensor, tidy, ValueError } from '@axon/tensor';
import { describe, expect, it } from 'vitest';

/** Cases copied from the PyTorch oracle fixtures (losses.json): inputs and the golden loss. */
const FIXTURES = {
  bce_probs_soft_targets: {
    hyper: { reduction: 'mean' },
    input: {
      shape: [5, 3],
      data: [
        0.15859905612967312, 0.5778123562439725, 0.14378373502363462, 0.2241789863070307, 0.22884827786042128,
        0.6978341104508231, 0.5539093532553242, 0.8307479829592456, 0.07980277085437823, 0.8137805057306667,
        0.18668064989357258, 0.5796384402817001, 0.6853740822882414, 0.22223335126016236, 0.12772177592008385,
      ],
    },
    target: {
      shape: [5, 3],
      data: [
        0.09634256402474195, 0.10860670359987012, 0.6631211896099393, 0.7398190089199475, 0.49510375633933,
        0.697349277984407, 0.9050654128193993, 0.6948158342311643, 0.4506765120264731, 0.6403316151756344,
        0.16773810989384785, 0.409213531693425, 0.7335341890110191, 0.26178892210298155, 0.9237478150789781,
      ],
    },
    out: 0.8410144456605473,
  },
  bce_with_logits_pos_weight: {
    hyper: { reduction: 'mean' },
    input: {
      shape: [5, 3],
      data: [
        2.961019328356275, 0.2952845261642011, -3.3326487195186854, 3.0233534942694433, -0.5154671515431274,
        -2.172084886683616, 2.1437782777626806, -2.7239886561602358, 5.135898425465925, 0.5109512757705128,
        1.6997086381505646, -1.2211189362884218, -3.3224992923155785, -1.6232370508220746,
        -1.6330625499477338,
      ],
    },
    target: {
      shape: [5, 3],
      data: [0.0, 0.0, 0.0, 1.0, 1.0, 0.0, 1.0, 0.0, 1.0, 0.0, 0.0, 1.0, 1.0, 1.0, 0.0],
    },
    pos_weight: { shape: [3], data: [1.395083053155652, 1.7649257975136763, 2.419543360116271] },
    out: 1.3676594942739735,
  },
  cross_entropy_class_weights: {
    hyper: { reduction: 'mean' },
    input: {
      shape: [5, 4],
      data: [
        0.1191006900156369, -6.129698136306512, 0.2037954018686227, -2.1820699822675986, -3.2005150887635003,
        1.0886403042170143, 2.9062706615372518, 0.6606307010838617, 1.9940760742772023, -1.7042889937071954,
        -2.410279063009314, -1.7800141670250038, 3.040832454159782, 0.5766608859493915, -1.3433910696867501,
        -1.4233901787281846, -0.863335842516219, -0.12011898533031422, 2.3823769658953067,
        0.08081817613199234,
      ],
    },
    target: { shape: [5], data: [2, 0, 1, 2, 3] },
    weight: {
      shape: [4],
      data: [1.8174756542490604, 1.71768733851385, 1.3359208400427902, 1.1164783187264729],
    },
    out: 3.7835575323402777,
  },
  cross_entropy_label_smoothing: {
    hyper: { reduction: 'mean', label_smoothing: 0.1 },
    input: {
      shape: [5, 4],
      data: [
        -1.2120176669110874, 1.1594126411174352, 2.3555910082132807, 1.5220544969074832, 0.28789972160715394,
        -0.7993066019661, 0.0532119865642096, -0.5899381651884646, 1.5108682282112775, 0.0801674150319161,
        -1.557179474654299, 0.6466138037065748, -1.061242246425909, 3.4835095153329374, -3.9413984296365796,
        3.120012265841824, -1.0060281399189894, -4.598129426027014, 1.7134954485984621, -0.48887536449990443,
      ],
    },
    target: { shape: [5], data: [0, 0, 3, 0, 3] },
    out: 2.742852767114871,
  },
  nll_sum: {
    hyper: { reduction: 'sum' },
    input: {
      shape: [5, 4],
      data: [
        -0.4018135745920597, -4.128456087462511, -3.528999360529059, -1.253679481151724, -0.7358675464412825,
        -3.6106451081328323, -0.8033824019857734, -3.0777184997553784, -1.4820035646561207,
        -1.664096583083618, -3.087812957794913, -0.6201668099441223, -3.1934951869672354, -1.5802895908052474,
        -1.512654596830743, -0.6297368064118348, -1.7548436616757774, -0.4632769909197853,
        -1.7067283055160187, -4.1111507781488585,
      ],
    },
    target: { shape: [5], data: [2, 3, 0, 0, 2] },
    out: 12.988944917423812,
  },
  kl_vae_batchmean: {
    hyper: { reduction: 'batchmean' },
    mu: {
      shape: [3, 4],
      data: [
        0.13324824503405588, 0.975379760287747, -1.7432124005752172, 1.337268200412457, -1.507220231327856,
        0.8106444272181494, -0.9073803925090628, -0.967497271115715, -0.31402205974566455,
        -0.31614673273008564, 0.6130709048587378, 0.22938934083486143,
      ],
    },
    logvar: {
      shape: [3, 4],
      data: [
        0.45222698430251657, 0.6556988826455694, 0.0182761709764758, 0.3539567650182866, -0.22709471798577135,
        0.5626703773961382, 0.1424909189071565, -0.5991989488044016, 0.41775941639632413, 0.09987255273343704,
        0.7987004723725953, -0.1627762829732104,
      ],
    },
    out: 2.0818234222747014,
  },
  multi_margin: {
    hyper: { p: 1, margin: 1.0, reduction: 'mean' },
    input: {
      shape: [5, 4],
      data: [
        -1.13481297865253, 0.2260669962649608, 1.230135012097821, 2.517648036037337, -0.09678789585719819,
        -0.5800069432354649, 0.3576493195399154, 2.0605561704790625, 1.3114976360939092, -0.8797266172079576,
        -0.1621920500428612, -0.7562278160462022, 0.7647346430873073, 1.6929045113247767, 1.2412263152336078,
        0.3657677445093582, 1.5953940201778978, 1.731157966733127, 1.1855602318917433, 0.5572587165389792,
      ],
    },
    target: { shape: [5], data: [3, 1, 2, 0, 0] },
    out: 0.7977591288455701,
  },
};

type Data = { shape: number[]; data: number[] };
const f64 = (d: Data): Tensor => tensor(d.data, { shape: d.shape, dtype: 'float64' });
const i32 = (d: Data): Tensor => tensor(d.data, { shape: d.shape, dtype: 'int32' });

function value(loss: Loss, input: Tensor, target: Tensor): number {
  return tidy(() => loss.forward(input, target).item());
}

describe('loss modules: values (PyTorch fixtures, float64)', () => {
  it('CrossEntropyLoss with class weights', () => {
    const c = FIXTURES.cross_entropy_class_weights;
    const loss = new CrossEntropyLoss({ weight: f64(c.weight) });
    expect(value(loss, f64(c.input), i32(c.target))).toBeCloseTo(c.out, 10);
  });

  it('CrossEntropyLoss with label smoothing', () => {
    const c = FIXTURES.cross_entropy_label_smoothing;
    const loss = new CrossEntropyLoss({ labelSmoothing: 0.1 });
    expect(value(loss, f64(c.input), i32(c.target))).toBeCloseTo(c.out, 10);
  });

  it('NLLLoss with sum', () => {
    const c = FIXTURES.nll_sum;
    expect(value(new NLLLoss({ reduction: 'sum' }), f64(c.input), i32(c.target))).toBeCloseTo(c.out, 10);
  });

  it('BCELoss on soft targets', () => {
    const c = FIXTURES.bce_probs_soft_targets;
    expect(value(new BCELoss(), f64(c.input), f64(c.target))).toBeCloseTo(c.out, 10);
  });

  it('BCEWithLogitsLoss with posWeight', () => {
    const c = FIXTURES.bce_with_logits_pos_weight;
    const loss = new BCEWithLogitsLoss({ posWeight: f64(c.pos_weight) });
    expect(value(loss, f64(c.input), f64(c.target))).toBeCloseTo(c.out, 10);
  });

  it('KLDivGaussianLoss with batchmean', () => {
    const c = FIXTURES.kl_vae_batchmean;
    const loss = new KLDivGaussianLoss({ reduction: 'batchmean' });
    expect(value(loss, f64(c.mu), f64(c.logvar))).toBeCloseTo(c.out, 10);
  });

  it('MultiMarginLoss', () => {
    const c = FIXTURES.multi_margin;
    expect(value(new MultiMarginLoss(), f64(c.input), i32(c.target))).toBeCloseTo(c.out, 10);
  });
});

describe('loss modules: values (by hand)', () => {
  it('MSELoss: mean, sum and none', () => {
    const x = tensor([1, 2, -1]);
    const t = tensor([0, 0, 1]);
    expect(value(new MSELoss(), x, t)).toBeCloseTo(3, 6); // (1 + 4 + 4) / 3
    expect(value(new MSELoss({ reduction: 'sum' }), x, t)).toBeCloseTo(9, 6);
    expect(Array.from(new MSELoss({ reduction: 'none' }).forward(x, t).dataSync())).toEqual([1, 4, 4]);
  });

  it('HingeLoss: max(0, margin - t·x)', () => {
    const x = tensor([0.5, -2, 3]);
    const t = tensor([1, 1, -1]);
    expect(value(new HingeLoss(), x, t)).toBeCloseTo((0.5 + 3 + 4) / 3, 6);
    expect(value(new HingeLoss({ margin: 2, reduction: 'sum' }), x, t)).toBeCloseTo(1.5 + 4 + 5, 6);
  });

  it('KLDivGaussianLoss is 0 at the prior', () => {
    expect(value(new KLDivGaussianLoss({ reduction: 'sum' }), tensor([[0, 0]]), tensor([[0, 0]]))).toBe(0);
    // mu = 1, logVar = 0: −0.5·(1 + 0 − 1 − 1) = 0.5
    expect(value(new KLDivGaussianLoss(), tensor([1]), tensor([0]))).toBeCloseTo(0.5, 6);
  });

  it('CrossEntropyLoss: uniform logits give log(C); ignoreIndex drops a sample', () => {
    const logits = tensor([
      [0, 0, 0, 0],
      [5, 0, 0, 0],
    ]);
    const target = tensor([1, 3], 'int32');
    const loss = new CrossEntropyLoss({ ignoreIndex: 3 });
    expect(value(loss, logits, target)).toBeCloseTo(Math.log(4), 6);
  });

  it('NLLLoss with a class weight picks w[target]', () => {
    const logp = tensor([
      [-1, -2],
      [-3, -4],
    ]);
    const loss = new NLLLoss({ weight: tensor([2, 1]), reduction: 'sum' });
    expect(value(loss, logp, tensor([0, 1], 'int32'))).toBeCloseTo(2 * 1 + 1 * 4, 6);
  });

  it('BCELoss clamps log at −100', () => {
    expect(value(new BCELoss(), tensor([0]), tensor([1]))).toBeCloseTo(100, 4);
  });
});

describe('loss modules: errors name the layer', () => {
  it('a bad reduction', () => {
    expect(() => new MSELoss({ reduction: 'avg' as 'mean' })).toThrow(
      new ValueError("MSELoss: reduction must be one of 'none', 'mean', 'sum', got 'avg'"),
    );
    expect(() => new KLDivGaussianLoss({ reduction: 'avg' as 'mean' })).toThrow(
      "KLDivGaussianLoss: reduction must be one of 'none', 'mean', 'sum', 'batchmean', got 'avg'",
    );
    expect(() => new HingeLoss({ reduction: 'batchmean' as 'mean' })).toThrow(ValueError);
  });

  it('shape mismatches in forward', () => {
    const err = (() => {
      try {
        new MSELoss().forward(tensor([[1, 2, 3]]), tensor([[1, 2]]));
      } catch (e) {
        return e;
      }
    })();
    expect(err).toBeInstanceOf(ShapeError);
    expect((err as Error).message).toBe("MSELoss: expected 'target' of shape [1, 3], got [1, 2]");
    expect(() => new CrossEntropyLoss().forward(tensor([[1, 2]]), tensor([0, 1], 'int32'))).toThrow(
      "CrossEntropyLoss: expected 'target' of shape [N, d1, ...] = [1] for input [1, 2], got [2]",
    );
    expect(() => new MultiMarginLoss().forward(tensor([1, 2, 3]), tensor(5, 'int32'))).toThrow(
      'MultiMarginLoss: target value 5 is out of range for 3 classes',
    );
  });

  it('dtype errors keep their class', () => {
    expect(() => new NLLLoss().forward(tensor([[0, 1]]), tensor([0]))).toThrow(DTypeError);
    expect(() => new NLLLoss().forward(tensor([[0, 1]]), tensor([0]))).toThrow(
      "NLLLoss: expected 'target' of class indices to be int32, got float32",
    );
  });

  it('bad options', () => {
    expect(() => new CrossEntropyLoss({ labelSmoothing: 2 })).toThrow(
      'CrossEntropyLoss: labelSmoothing must be a number in [0, 1], got 2',
    );
    expect(() => new CrossEntropyLoss({ weight: tensor([[1, 2]]) })).toThrow(
      "CrossEntropyLoss: expected 'weight' of shape [C], got [1, 2]",
    );
    expect(() => new NLLLoss({ ignoreIndex: 1.5 })).toThrow(
      "NLLLoss: expected 'ignoreIndex' to be a finite integer, got 1.5",
    );
    expect(() => new MultiMarginLoss({ p: 3 as 1 })).toThrow('MultiMarginLoss: p must be 1 or 2, got 3');
    expect(() => new HingeLoss({ margin: Number.NaN })).toThrow(
      "HingeLoss: expected 'margin' to be a finite number, got NaN",
    );
    expect(() => new BCELoss({ weight: tensor([1], 'int32') })).toThrow(
      "BCELoss: expected 'weight' to be float32 or float64, got int32",
    );
    expect(() => new MSELoss(3 as never)).toThrow('MSELoss: expected an options object, got 3');
  });
});

describe('loss modules: config, state dict, memory', () => {
  const cases: [string, () => Loss, () => [Tensor, Tensor]][] = [
    ['MSELoss', () => new MSELoss({ reduction: 'sum' }), () => [tensor([1, 2]), tensor([0, 3])]],
    [
      'CrossEntropyLoss',
      () =>
        new CrossEntropyLoss({
          weight: tensor([0.5, 2, 1]),
          ignoreIndex: 2,
          labelSmoothing: 0.2,
          reduction: 'sum',
        }),
      () => [tensor([[1, 2, 0.5]]), tensor([1], 'int32')],
    ],
    [
      'NLLLoss',
      () => new NLLLoss({ weight: tensor([0.25, 3], 'float64'), ignoreIndex: 0 }),
      () => [tensor([[-1, -2]]), tensor([1], 'int32')],
    ],
    [
      'BCELoss',
      () => new BCELoss({ weight: tensor([[1], [3]]) }),
      () => [
        tensor([
          [0.2, 0.7],
          [0.4, 0.9],
        ]),
        tensor([
          [0, 1],
          [1, 1],
        ]),
      ],
    ],
    [
      'BCEWithLogitsLoss',
      () => new BCEWithLogitsLoss({ weight: tensor([2, 1]), posWeight: tensor([3, 0.5]), reduction: 'none' }),
      () => [tensor([[0.2, -1.7]]), tensor([[1, 0]])],
    ],
    [
      'KLDivGaussianLoss',
      () => new KLDivGaussianLoss({ reduction: 'batchmean' }),
      () => [tensor([[1, 2]]), tensor([[0.5, -1]])],
    ],
    ['HingeLoss', () => new HingeLoss({ margin: 0.5 }), () => [tensor([0.2, -0.1]), tensor([1, -1])]],
    [
      'MultiMarginLoss',
      () => new MultiMarginLoss({ p: 2, margin: 0.7, weight: tensor([1, 2, 3]) }),
      () => [tensor([[0.1, 0.4, -0.2]]), tensor([2], 'int32')],
    ],
  ];

  it.each(cases)('%s: fromSpec(specOf(loss)) gives the same loss', (name, make, data) => {
    const loss = make();
    const spec = specOf(loss);
    expect(spec.type).toBe(name);
    const json = JSON.parse(JSON.stringify(spec));
    const again = fromSpec(json) as Loss;
    expect(again).toBeInstanceOf(loss.constructor);
    expect(again.config()).toEqual(loss.config());
    const [x, t] = data();
    const a = loss.forward(x, t).dataSync();
    const b = again.forward(x, t).dataSync();
    expect(Array.from(b)).toEqual(Array.from(a));
    for (const [k, v] of Object.entries(loss.stateDict())) {
      expect(again.stateDict()[k].dtype).toBe(v.dtype);
      expect(Array.from(again.stateDict()[k].dataSync())).toEqual(Array.from(v.dataSync()));
    }
    loss.dispose();
    again.dispose();
  });

  it('the default config', () => {
    expect(new MSELoss().config()).toEqual({ reduction: 'mean' });
    expect(new CrossEntropyLoss().config()).toEqual({
      weight: null,
      ignoreIndex: -100,
      reduction: 'mean',
      labelSmoothing: 0,
    });
    expect(new MultiMarginLoss().config()).toEqual({ p: 1, margin: 1, weight: null, reduction: 'mean' });
    expect(new CrossEntropyLoss({ weight: tensor([1, 2]) }).config().weight).toEqual({
      shape: [2],
      dtype: 'float32',
      data: [1, 2],
    });
  });

  it('weights are buffers under PyTorch names; losses have no parameters', () => {
    expect(Object.keys(new MSELoss().stateDict())).toEqual([]);
    expect(Object.keys(new CrossEntropyLoss({ weight: tensor([1, 2]) }).stateDict())).toEqual(['weight']);
    expect(Object.keys(new NLLLoss({ weight: tensor([1, 2]) }).stateDict())).toEqual(['weight']);
    expect(Object.keys(new BCELoss({ weight: tensor([1, 2]) }).stateDict())).toEqual(['weight']);
    expect(Object.keys(new MultiMarginLoss({ weight: tensor([1, 2]) }).stateDict())).toEqual(['weight']);
    const bce = new BCEWithLogitsLoss({ weight: tensor([1, 2]), posWeight: tensor([3, 4]) });
    expect(Object.keys(bce.stateDict())).toEqual(['weight', 'pos_weight']);
    expect(bce.parameters()).toEqual([]);
  });

  it("copies the caller's weight and frees its own on dispose", () => {
    const before = memory().numTensors;
    const w = tensor([1, 3]);
    const loss = new CrossEntropyLoss({ weight: w });
    w.dispose();
    expect(value(loss, tensor([[0, 0]]), tensor([1], 'int32'))).toBeCloseTo(Math.log(2), 6);
    loss.dispose();
    expect(memory().numTensors).toBe(before + 2); // the two tensors made by value()'s arguments
  });
});

describe('loss modules: gradients (float64)', () => {
  const x = (shape: number[], scale = 1, shift = 0) =>
    tensor(
      Array.from(
        { length: shape.reduce((a, b) => a * b, 1) },
        (_, i) => shift + scale * Math.sin(1.3 * i + 0.4),
      ),
      { shape, dtype: 'float64' },
    );
  const checks: [string, Loss, Tensor, Tensor][] = [
    ['MSELoss', new MSELoss(), x([2, 3]), x([2, 3], 0.5, 0.1)],
    [
      'CrossEntropyLoss',
      new CrossEntropyLoss({ weight: tensor([1, 2, 0.5]), labelSmoothing: 0.1 }),
      x([4, 3]),
      tensor([0, 2, 1, 1], 'int32'),
    ],
    ['NLLLoss', new NLLLoss({ reduction: 'sum' }), x([3, 2], 1, -2), tensor([1, 0, 1], 'int32')],
    ['BCELoss', new BCELoss({ weight: tensor([2, 1, 1]) }), x([2, 3], 0.3, 0.5), x([2, 3], 0.5, 0.5)],
    [
      'BCEWithLogitsLoss',
      new BCEWithLogitsLoss({ posWeight: tensor([2, 1, 0.5]) }),
      x([2, 3], 2),
      x([2, 3], 0.5, 0.5),
    ],
    ['KLDivGaussianLoss', new KLDivGaussianLoss({ reduction: 'batchmean' }), x([2, 3]), x([2, 3], 0.7, 0.2)],
    ['HingeLoss', new HingeLoss(), x([5], 0.5, 0.3), tensor([1, -1, 1, 1, -1])],
    [
      'MultiMarginLoss',
      new MultiMarginLoss({ p: 2, weight: tensor([1, 2, 3]) }),
      x([3, 3]),
      tensor([0, 2, 1], 'int32'),
    ],
  ];

  it.each(checks)('%s: checkGradients with respect to the input', (_, loss, input, target) => {
    const report = checkGradients((i) => loss.forward(i, target), [input]);
    expect(report.ok, report.message).toBe(true);
  });

  it('KLDivGaussianLoss: with respect to both mu and logVar', () => {
    const loss = new KLDivGaussianLoss({ reduction: 'sum' });
    const report = checkGradients((mu, lv) => loss.forward(mu, lv), [x([2, 2]), x([2, 2], 0.5)]);
    expect(report.ok, report.message).toBe(true);
  });
});
