import { CrossEntropyLoss, Linear } from '@axon/layers';
import { manualSeed } from '@axon/tensor';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { batchLine, epochLine, fit, formatLogs, isCI, PLAIN_LINE_SECONDS, Progress } from '../src';
import { captureOutput, classification, disposeBatches, sgd } from './helpers';

const savedCI = process.env.CI;
beforeEach(() => {
  delete process.env.CI;
});
afterEach(() => {
  if (savedCI === undefined) delete process.env.CI;
  else process.env.CI = savedCI;
});

async function train(progressOutput: ReturnType<typeof captureOutput>, progress: boolean | 'auto' = 'auto') {
  const data = classification(3, 8, 5);
  const val = classification(1, 8, 6);
  manualSeed(1);
  const model = new Linear(2, 3);
  const history = await fit(model, {
    optimizer: sgd(model),
    loss: new CrossEntropyLoss(),
    trainData: data,
    valData: val,
    epochs: 3,
    metrics: ['accuracy'],
    progress,
    progressOutput,
  });
  model.dispose();
  disposeBatches(data);
  disposeBatches(val);
  return history;
}

const LINE =
  /^epoch (\d+)\/3 {2}loss (\d\.\d{4}) {2}acc (\d\.\d{4}) {2}val_loss (\d\.\d{4}) {2}val_acc (\d\.\d{4}) {2}\d+\.\d s$/;

describe('progress', () => {
  it('prints one plain line per epoch when CI is set, even on a TTY', async () => {
    process.env.CI = 'true';
    expect(isCI()).toBe(true);
    const out = captureOutput(true);
    const history = await train(out);
    const lines = out.text.trimEnd().split('\n');
    expect(lines).toHaveLength(3);
    lines.forEach((line, i) => {
      const m = LINE.exec(line);
      expect(m, line).not.toBeNull();
      expect(Number(m?.[1])).toBe(i + 1);
      expect(Number(m?.[2])).toBeCloseTo(history.get('loss')[i], 4);
      expect(Number(m?.[5])).toBeCloseTo(history.get('val_accuracy')[i], 4);
    });
    expect(out.text).not.toContain('\x1b');
  });

  it('prints plain lines when the output is not a TTY', async () => {
    const out = captureOutput(false);
    await train(out);
    expect(
      out.text
        .trimEnd()
        .split('\n')
        .every((l) => LINE.test(l)),
    ).toBe(true);
  });

  it('draws a bar on a TTY, then leaves the epoch line', async () => {
    const out = Object.assign(captureOutput(true), { columns: 120 });
    await train(out);
    // biome-ignore lint/suspicious/noControlCharactersInRegex: stripping ANSI escapes
    const plain = out.text.replace(/\x1b\[[0-9;?]*[A-Za-z]|\x1b[78]/g, '');
    expect(plain).toMatch(/epoch 1\/3 \[[=-]{24}\] \d\/3 loss \d\.\d{4} {2}acc \d\.\d{4}/);
    expect(plain).toMatch(/epoch 3\/3 {2}loss \d\.\d{4} {2}acc \d\.\d{4} {2}val_loss/);
  });

  it('takes the batch count from a source with a numeric length (a DataLoader) from the first epoch', async () => {
    const out = Object.assign(captureOutput(true), { columns: 120 });
    const data = classification(3, 8, 5);
    // Async iteration and a length, as @axon/datasets' DataLoader offers.
    const loader = {
      length: data.length,
      async *[Symbol.asyncIterator]() {
        yield* data;
      },
    };
    manualSeed(1);
    const model = new Linear(2, 3);
    await fit(model, {
      optimizer: sgd(model),
      loss: new CrossEntropyLoss(),
      trainData: loader,
      epochs: 1,
      progressOutput: out,
    });
    model.dispose();
    disposeBatches(data);
    // biome-ignore lint/suspicious/noControlCharactersInRegex: stripping ANSI escapes
    const plain = out.text.replace(/\x1b\[[0-9;?]*[A-Za-z]|\x1b[78]/g, '');
    expect(plain).toMatch(/epoch 1\/1 \[[=-]{24}\] \d\/3 /);
  });

  it('prints a plain line within a long epoch every PLAIN_LINE_SECONDS, with what is left', async () => {
    let t = 0;
    const out = captureOutput(false);
    const progress = await Progress.create('auto', out, () => t);
    progress?.epochBegin(2, 40, 100);
    // A batch every 25 s: lines after batches 3 (75 s) and 6 (150 s), never two within 60 s; then the epoch's.
    for (let done = 1; done <= 8; done++) {
      t += 25_000;
      progress?.batchEnd(done, done < 5 ? {} : { d_loss: 1.25 });
    }
    progress?.epochEnd(2, 40, { d_loss: 1.25 });
    expect(PLAIN_LINE_SECONDS).toBe(60);
    expect(out.text.trimEnd().split('\n')).toEqual([
      'epoch 3/40  3/100  75.0 s  eta 2425 s',
      'epoch 3/40  6/100  d_loss 1.2500  150.0 s  eta 2350 s',
      'epoch 3/40  d_loss 1.2500  200.0 s',
    ]);
    expect(batchLine('epoch 1/2', 7, undefined, {}, 61)).toBe('epoch 1/2  7  61.0 s');
  });

  it('is silent with progress: false', async () => {
    const out = captureOutput(false);
    await train(out, false);
    expect(out.text).toBe('');
  });

  it('formats logs with short names, training keys first, lr left out', () => {
    expect(formatLogs({ val_loss: 0.5, loss: 0.41234, lr: 0.1, top5_accuracy: 1, val_accuracy: 0.9 })).toBe(
      'loss 0.4123  top5 1.0000  val_loss 0.5000  val_acc 0.9000',
    );
    expect(epochLine(2, 10, { loss: 1.5e-5, accuracy: 0.912 }, 12.34)).toBe(
      'epoch 3/10  loss 1.500e-5  acc 0.9120  12.3 s',
    );
    process.env.CI = 'false';
    expect(isCI()).toBe(false);
  });
});
