/**
 * From Axon to ONNX Runtime and PyTorch: the main job's MNIST MLP is exported to ONNX, served by
 * ONNX Runtime (onnxruntime-node, the engine that also runs on servers, GPUs and in browsers), and
 * checked against Axon's own predictions; its weights are also written as a PyTorch state dict
 * (safetensors) to continue training in PyTorch.
 *
 * The model is the one `pnpm start` saved (examples/mnist-mlp/out/mnist-mlp.axon) when there is
 * one; otherwise the same MLP is trained here for an epoch (a few batches with --smoke).
 *
 *   pnpm example onnx-export [--epochs N] [--backend cpu|gpu] [--seed N] [--json] [--smoke]
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DataLoader, mnist } from '@axon/datasets';
import { readOnnx, saveOnnx, saveTorchSafetensors } from '@axon/interop';
import { CrossEntropyLoss, load, type Module } from '@axon/layers';
import { mlp } from '@axon/models';
import { Adam } from '@axon/optim';
import * as ax from '@axon/tensor';
import { fit } from '@axon/train';
import * as ort from 'onnxruntime-node';
import { firstBatches, parseArgs, report } from '../common';

const args = parseArgs(import.meta.url, { epochs: 1 });
if (args.backend === 'gpu') await import('@axon/backend-gpu');
ax.setBackend(args.backend);
ax.manualSeed(args.seed);

// 1. The model: the main job's saved MLP, or the same architecture trained here.
const saved = fileURLToPath(new URL('../mnist-mlp/out/mnist-mlp.axon', import.meta.url));
let model: Module;
if (!args.smoke && existsSync(saved)) {
  model = (await load(saved)).model;
  console.log(`loaded ${saved}`);
} else {
  model = mlp({ inputSize: 28 * 28, hiddenSizes: [128], outputSize: 10, flatten: true });
  const train = new DataLoader(await mnist('train', { limit: args.smoke ? 256 : 12000 }), {
    batchSize: 128,
    shuffle: true,
    seed: args.seed,
  });
  await fit(model, {
    optimizer: new Adam(model.parameters(), { lr: 3e-3 }),
    loss: new CrossEntropyLoss(),
    trainData: args.smoke ? firstBatches(train, 2) : train,
    epochs: args.epochs,
    disposeBatches: true,
  });
}
model.eval();

// 2. Export: one sample batch fixes every shape but the batch dim, which stays free ('batch').
const onnxPath = join(args.outDir, 'mnist-mlp.onnx');
await saveOnnx(onnxPath, model, ax.zeros([1, 1, 28, 28]));
const graph = (await readOnnx(onnxPath)).graph;
console.log(`wrote ${onnxPath}: ${graph.node.map((n) => n.op_type).join(' → ')}`);

// 3. Serve it with ONNX Runtime on the test images, and compare with Axon's own logits.
const test = await mnist('test', { limit: args.smoke ? 100 : 10000 });
const session = await ort.InferenceSession.create(onnxPath);
const { output } = await session.run({
  input: new ort.Tensor('float32', test.x.dataSync() as Float32Array, test.x.shape),
});
const ortLogits = output.data as Float32Array;
const axonLogits = ax.tidy(() => model.forward(test.x)).dataSync() as Float32Array;
// float32 agrees to about 1e-7 of a value's size: the differences are scaled by max(1, |logit|).
let maxDiff = 0;
let maxScaled = 0;
for (let i = 0; i < ortLogits.length; i++) {
  const d = Math.abs(ortLogits[i] - axonLogits[i]);
  maxDiff = Math.max(maxDiff, d);
  maxScaled = Math.max(maxScaled, d / Math.max(1, Math.abs(axonLogits[i])));
}
const labels = test.y.dataSync();
const argmax = (logits: Float32Array, row: number) => {
  let best = 0;
  for (let k = 1; k < 10; k++) if (logits[row * 10 + k] > logits[row * 10 + best]) best = k;
  return best;
};
let correct = 0;
let agree = 0;
for (let i = 0; i < test.length; i++) {
  const p = argmax(ortLogits, i);
  correct += Number(p === labels[i]);
  agree += Number(p === argmax(axonLogits, i));
}
await session.release();
console.log(
  `ONNX Runtime on ${test.length} test images: accuracy ${((correct / test.length) * 100).toFixed(2)}%, ` +
    `same class as Axon for ${agree}/${test.length}, max |logit difference| ${maxDiff.toExponential(2)} ` +
    `(${maxScaled.toExponential(2)} relative to max(1, |logit|))`,
);

// 4. The weights for PyTorch: nn.Sequential(nn.Flatten(), nn.Linear(784, 128), nn.ReLU(),
//    nn.Linear(128, 10)).load_state_dict(safetensors.torch.load_file(path)) — same names, same shapes.
const torchPath = join(args.outDir, 'mnist-mlp.safetensors');
await saveTorchSafetensors(torchPath, model);
console.log(`wrote ${torchPath} (a PyTorch state dict)`);

report(
  args,
  {
    ortAccuracy: correct / test.length,
    agreement: agree / test.length,
    maxLogitDiff: maxDiff,
    maxScaledDiff: maxScaled,
  },
  { key: 'maxScaledDiff', atMost: 1e-5 },
);
