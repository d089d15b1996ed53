/**
 * The smallest complete Axon program: a two-layer network that learns to tell two interleaved
 * spirals apart, written with nothing but tensors and `valueAndGrad`. No layers, no optimizer
 * class: the parameters are plain tensors and the update is one line of arithmetic.
 *
 *   pnpm example raw-grad [--steps N] [--seed N]
 */
import { valueAndGrad } from '@axon/autograd';
import type { Tensor } from '@axon/tensor';
import * as ax from '@axon/tensor';

const args = process.argv.slice(2);
const flag = (name: string, fallback: number) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? Number(args[i + 1]) : fallback;
};
const steps = flag('steps', 600);
const seed = flag('seed', 0);
ax.manualSeed(seed);

// 1. Data: two spirals, 100 points each, labels 0 and 1.
function spirals(perClass: number): { x: Tensor; y: Tensor } {
  const points: number[][] = [];
  const labels: number[] = [];
  for (let c = 0; c < 2; c++) {
    for (let i = 0; i < perClass; i++) {
      const r = (i / perClass) * 1.0 + 0.05;
      const t = (i / perClass) * 3 * Math.PI + c * Math.PI;
      points.push([r * Math.cos(t), r * Math.sin(t)]);
      labels.push(c);
    }
  }
  return { x: ax.tensor(points), y: ax.tensor(labels, { shape: [labels.length, 1] }) };
}
const { x, y } = spirals(100);

// 2. Parameters: 2 -> 32 -> 32 -> 1, scaled like PyTorch's default (uniform in ±1/sqrt(fanIn)).
const init = (shape: number[], fanIn: number) =>
  ax.uniform(shape, -1 / Math.sqrt(fanIn), 1 / Math.sqrt(fanIn));
let params = [
  init([2, 32], 2),
  init([32], 2),
  init([32, 32], 32),
  init([32], 32),
  init([32, 1], 32),
  init([1], 32),
];

// 3. The model and its loss: tanh hidden layers, a logit out, binary cross-entropy on logits
//    written out by hand (log(1 + e^-|z|) + max(z, 0) - z*y, which never overflows).
function forward(p: Tensor[], input: Tensor): Tensor {
  const h1 = input.matmul(p[0]).add(p[1]).tanh();
  const h2 = h1.matmul(p[2]).add(p[3]).tanh();
  return h2.matmul(p[4]).add(p[5]);
}
function loss(...p: Tensor[]): Tensor {
  const z = forward(p, x);
  return ax.log1p(ax.exp(z.abs().neg())).add(z.maximum(0)).sub(z.mul(y)).mean();
}
const lossAndGrads = valueAndGrad(loss);

// 4. Training: plain gradient descent with momentum, all temporaries freed by `tidy`.
const lr = 0.5;
let velocity = params.map((p) => ax.zerosLike(p));
const started = Date.now();
for (let step = 1; step <= steps; step++) {
  const { value, grads } = lossAndGrads(...params);
  const next = ax.tidy(() => {
    const v = velocity.map((v0, i) => v0.mul(0.9).add(grads[i]));
    return { v, p: params.map((p, i) => p.sub(v[i].mul(lr))) };
  });
  ax.dispose([params, velocity, grads]);
  params = next.p;
  velocity = next.v;
  if (step === 1 || step % Math.max(1, Math.floor(steps / 10)) === 0 || step === steps) {
    console.log(`step ${String(step).padStart(5)}  loss ${value.item().toFixed(4)}`);
  }
  value.dispose();
}

// 5. Evaluation: accuracy on the training points.
const accuracy = ax.tidy(() => forward(params, x).gt(0).cast('float32').eq(y).cast('float32').mean().item());
console.log(
  `accuracy ${(accuracy * 100).toFixed(1)}%  (${steps} steps in ${((Date.now() - started) / 1000).toFixed(1)} s)`,
);
console.log(`live tensors at the end: ${ax.memory().numTensors}`);
