/**
 * How often `fit` makes the host wait for the gpu: the device read-backs (GpuBackend.stats) of a
 * supervised fit — 12 batches of an MLP with cross-entropy and accuracy, 2 epochs — with the
 * default `logEvery: 1` (the loss and the predictions read every step) and with `logEvery:
 * 'epoch'` (the loss and accuracy summed on the device, read once an epoch). The epoch logs must
 * agree.
 */
import type { GpuBackend } from '@axon/backend-gpu';
import { Linear, ReLU, Sequential } from '@axon/layers';
import { SGD } from '@axon/optim';
import { crossEntropy, ENGINE, manualSeed, randn, setBackend, tensor } from '@axon/tensor';
import { fit } from '@axon/train';

export interface FitReadbacks {
  logEvery: 1 | 'epoch';
  steps: number;
  readbacks: number;
  loss: number[];
  accuracy: number[];
}

export async function fitReadbacks(): Promise<FitReadbacks[]> {
  setBackend('gpu');
  const backend = ENGINE.findBackend('gpu') as GpuBackend;
  manualSeed(0);
  const batches = Array.from({ length: 12 }, () => ({
    x: randn([32, 20]),
    y: tensor(
      Int32Array.from({ length: 32 }, (_, i) => i % 5),
      { dtype: 'int32' },
    ),
  }));
  const out: FitReadbacks[] = [];
  try {
    for (const logEvery of [1, 'epoch'] as const) {
      manualSeed(1);
      const model = new Sequential(new Linear(20, 16), new ReLU(), new Linear(16, 5));
      const optimizer = new SGD(model.parameters(), { lr: 0.1 });
      const before = backend.stats.readbacks;
      const history = await fit(model, {
        optimizer,
        loss: crossEntropy,
        metrics: ['accuracy'],
        trainData: batches,
        epochs: 2,
        logEvery,
        progress: false,
      });
      out.push({
        logEvery,
        steps: 24,
        readbacks: backend.stats.readbacks - before,
        loss: history.get('loss'),
        accuracy: history.get('accuracy'),
      });
      model.dispose();
      optimizer.dispose();
    }
  } finally {
    for (const b of batches) {
      b.x.dispose();
      b.y.dispose();
    }
    setBackend('cpu');
  }
  return out;
}

export function formatFitReadbacks(rows: readonly FitReadbacks[]): string {
  return [
    'fit read-backs on the gpu (MLP 20→16→5, cross-entropy + accuracy, 12 batches × 2 epochs):',
    ...rows.map(
      (r) =>
        `  logEvery ${String(r.logEvery).padEnd(7)} ${String(r.readbacks).padStart(3)} device read-backs in ${r.steps} steps; loss ${r.loss.map((v) => v.toFixed(6)).join(', ')}; accuracy ${r.accuracy.map((v) => v.toFixed(4)).join(', ')}`,
    ),
  ].join('\n');
}
