/**
 * The PyTorch round trip (`pnpm -F @axon/interop torch-roundtrip`): weights trained in PyTorch load
 * into Axon with matching outputs, and weights trained in Axon load into PyTorch with matching
 * outputs, for a small CNN (with batch norm and dropout) and a 2-layer LSTM regressor. The PyTorch
 * side is roundtrip.py (models.py mirrors the models below); files pass through safetensors.
 *
 * Needs a Python with torch (Debian: `apt-get install -y python3-torch`): $AXON_TORCH_PYTHON, else
 * /usr/bin/python3, else python3. Without one it prints why and exits 0 (skipped), or 1 when run
 * with `--require` (as CI does, where the round trip must run).
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  type AnyModule,
  BatchNorm2d,
  Conv2d,
  CrossEntropyLoss,
  Dropout,
  Flatten,
  Linear,
  MaxPool2d,
  MSELoss,
  ReLU,
  Sequential,
} from '@axon/layers';
import { rnnRegressor } from '@axon/models';
import { Adam } from '@axon/optim';
import { manualSeed, randn, type Tensor, tensor, tidy } from '@axon/tensor';
import { compareClose, seededInts, valuesOf } from '@axon/testing';
import { loadSafetensors, loadTorchSafetensors, saveSafetensors, saveTorchSafetensors } from '../../src';

const TOLERANCE = { atol: 1e-5, rtol: 1e-5 };
const here = dirname(fileURLToPath(import.meta.url));

/** The Axon twins of models.py's. */
const MODELS: Record<string, () => AnyModule> = {
  cnn: () =>
    new Sequential(
      new Conv2d(1, 4, 3, { padding: 1 }),
      new BatchNorm2d(4),
      new ReLU(),
      new MaxPool2d(2),
      new Conv2d(4, 8, 3),
      new ReLU(),
      new Flatten(),
      new Dropout(0.1),
      new Linear(32, 3),
    ),
  lstm: () => rnnRegressor({ cell: 'lstm', inputSize: 2, hiddenSize: 8, outputSize: 1, numLayers: 2 }),
};
const INPUTS: Record<string, number[]> = { cnn: [1, 8, 8], lstm: [6, 2] };

function findPython(): string | null {
  const candidates = [process.env.AXON_TORCH_PYTHON, '/usr/bin/python3', 'python3'].filter(
    Boolean,
  ) as string[];
  for (const python of candidates) {
    const probe = spawnSync(python, ['-c', 'import torch'], { stdio: 'ignore' });
    if (probe.status === 0) return python;
  }
  return null;
}

/** Runs roundtrip.py; its output, or an error that carries it. */
function python(exe: string, ...args: string[]): string {
  const run = spawnSync(exe, [join(here, 'roundtrip.py'), ...args], { encoding: 'utf8' });
  if (run.status !== 0) throw new Error(`roundtrip.py ${args[0]} failed:\n${run.stdout}${run.stderr}`);
  return run.stdout;
}

function forward(model: AnyModule, x: Tensor): Tensor {
  return (model.forward as (x: Tensor) => Tensor).call(model, x);
}

/** PyTorch → Axon: the max |Axon − PyTorch| of each model's output on PyTorch's input. */
async function torchToAxon(dir: string): Promise<Record<string, number>> {
  const diffs: Record<string, number> = {};
  for (const [kind, make] of Object.entries(MODELS)) {
    const model = make();
    await loadTorchSafetensors(model, join(dir, `torch_${kind}.safetensors`));
    model.eval();
    const io = (await loadSafetensors(join(dir, `torch_${kind}_io.safetensors`))).tensors;
    const out = forward(model, io.input);
    const report = compareClose(out, io.output, { ...TOLERANCE, what: `PyTorch → Axon ${kind}` });
    if (!report.ok) throw new Error(report.message);
    const got = valuesOf(out);
    diffs[kind] = Math.max(...valuesOf(io.output).map((v, i) => Math.abs(v - got[i])));
  }
  return diffs;
}

/** Trains each model briefly in Axon, then writes its weights and an input/output pair for PyTorch. */
async function trainInAxon(dir: string): Promise<void> {
  manualSeed(0);
  for (const [kind, make] of Object.entries(MODELS)) {
    const model = make();
    const opt = new Adam(model.parameters(), { lr: 1e-2 });
    const loss = kind === 'cnn' ? new CrossEntropyLoss() : new MSELoss();
    model.train();
    for (let step = 0; step < 20; step++) {
      tidy(() => {
        const x = randn([16, ...INPUTS[kind]]);
        const y = kind === 'cnn' ? tensor(seededInts(16, step, 0, 3), { dtype: 'int32' }) : randn([16, 1]);
        opt.zeroGrad();
        loss.forward(forward(model, x), y).backward();
        opt.step();
      });
    }
    model.eval();
    const input = randn([5, ...INPUTS[kind]]);
    await saveTorchSafetensors(join(dir, `axon_${kind}.safetensors`), model);
    await saveSafetensors(join(dir, `axon_${kind}_io.safetensors`), { input, output: forward(model, input) });
  }
}

const exe = findPython();
if (!exe) {
  const required = process.argv.includes('--require');
  console.log(
    `torch-roundtrip: ${required ? 'FAILED' : 'skipped'}: no Python with PyTorch found (apt-get install -y python3-torch, or set AXON_TORCH_PYTHON)`,
  );
  process.exit(required ? 1 : 0);
}
const dir = mkdtempSync(join(tmpdir(), 'axon-torch-'));
try {
  python(exe, 'torch-to-axon', dir);
  const fromTorch = await torchToAxon(dir);
  console.log(`PyTorch → Axon: max |difference| ${JSON.stringify(fromTorch)}`);
  await trainInAxon(dir);
  const toTorch = python(exe, 'axon-to-torch', dir).trim();
  console.log(`Axon → PyTorch: max |difference| ${toTorch}`);
  console.log('torch-roundtrip: ok');
} catch (e) {
  console.error(`torch-roundtrip: FAILED: ${(e as Error).message}`);
  process.exitCode = 1;
} finally {
  rmSync(dir, { recursive: true, force: true });
}
