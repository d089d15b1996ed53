// The text and tree families on a sliver of their corpora: `axon train` for the char-LSTM and the
// GPT (tiny-shakespeare), the sentence biLSTM (SST-2) and the RNTN (SST), then `info`, `eval` (nats
// per character, accuracy, the RNTN's four sentiment accuracies) and, for the language models,
// `sample` printing text that one seed reproduces; and the text options' usage errors.
import { join } from 'node:path';
import { save } from '@axon/layers';
import { rbm } from '@axon/models';
import { afterAll, describe, expect, it } from 'vitest';
import { axon, tempDir } from './helpers';

const tmp = tempDir();
afterAll(() => tmp.remove());

/** Trains `model` briefly into its own folder; returns the model file. */
async function trained(model: string, ...options: string[]): Promise<string> {
  const out = join(tmp.dir, model);
  const run = await axon('train', model, '--epochs', '1', ...options, '--out', out);
  expect(run.err).toBe('');
  expect(run.code).toBe(0);
  return join(out, `${model}.axon`);
}

describe('language models', () => {
  for (const [model, className] of [
    ['char-lstm', 'CharLM'],
    ['gpt', 'TransformerLM'],
  ]) {
    it(`${model}: trains on tiny-shakespeare, scores in nats/char, writes seeded text`, async () => {
      const file = await trained(model, '--limit', '700', '--batch-size', '2');
      const info = await axon('info', file);
      expect(info.code).toBe(0);
      expect(info.out).toContain(`model      ${className}, read as ${model}`);
      expect(info.out).toContain('first 700 characters');
      expect(info.out).toMatch(/\(model\) +\S+ +\[1, 8, 65\]/); // logits of 8 tokens

      const scored = await axon('eval', file, '--limit', '400', '--json');
      expect(scored.code).toBe(0);
      const logs = JSON.parse(scored.out);
      expect(logs).toMatchObject({ model, data: 'tiny-shakespeare', examples: 400 });
      expect(logs.loss).toBeGreaterThan(1); // nats per character, near log 65 ≈ 4.2 untrained
      expect(logs.loss).toBeLessThan(6);

      const sample = (...options: string[]) =>
        axon('sample', file, '--prompt', 'ROMEO:', '--length', '24', '--temperature', '0.8', ...options);
      const [one, again, other] = [
        await sample('--seed', '1'),
        await sample('--seed', '1'),
        await sample('--seed', '2'),
      ];
      expect(one.code).toBe(0);
      expect(one.out.startsWith('ROMEO:')).toBe(true);
      expect(one.out).toHaveLength('ROMEO:'.length + 24 + 1); // and a newline
      expect(again.out).toBe(one.out);
      expect(other.out).not.toBe(one.out);

      const bad = await axon('sample', file, '--prompt', 'Ω');
      expect(bad.code).toBe(2);
      expect(bad.err).toContain(`sample --prompt: expected tiny-shakespeare's 65 characters, got "Ω"`);
    }, 180_000); // a whole train/eval/sample cycle: seconds idle, room for a loaded machine
  }
});

describe('sentiment models', () => {
  it('sst-bilstm: trains on SST-2 sentences and reports accuracy', async () => {
    const file = await trained('sst-bilstm', '--limit', '64');
    const info = await axon('info', file);
    expect(info.code).toBe(0);
    expect(info.out).toContain('model      SequenceClassifier, read as sst-bilstm');
    const scored = await axon('eval', file, '--limit', '50');
    expect(scored.code).toBe(0);
    expect(scored.out).toMatch(/^sst-bilstm on sst-2 test \(50 sentences\): loss \d+\.\d+ {2}acc \d\.\d+\n$/);
    const sample = await axon('sample', file);
    expect(sample.code).toBe(1);
    expect(sample.err).toContain('sst-bilstm models cannot draw samples (models that can: ');
  }, 180_000); // a whole train/eval/sample cycle: seconds idle, room for a loaded machine

  it("rntn: trains on SST trees and reports the paper's four accuracies", async () => {
    const file = await trained('rntn', '--limit', '27');
    const info = await axon('info', file);
    expect(info.code).toBe(0);
    expect(info.out).toContain('model      RNTN, read as rntn');
    const scored = await axon('eval', file, '--limit', '20', '--json');
    expect(scored.code).toBe(0);
    const logs = JSON.parse(scored.out);
    expect(logs).toMatchObject({ model: 'rntn', data: 'sst', examples: 20 });
    for (const key of ['loss', 'fineAll', 'fineRoot', 'binaryAll', 'binaryRoot']) {
      expect(logs[key], key).toBeGreaterThanOrEqual(0);
    }
    expect(logs.fineAll).toBeLessThanOrEqual(1);
  }, 180_000); // a whole train/eval/sample cycle: seconds idle, room for a loaded machine

  it('refuses a data set the model cannot read, and text options for an image model', async () => {
    const file = join(tmp.dir, 'rntn', 'rntn.axon');
    const data = await axon('eval', file, '--data', 'mnist');
    expect(data.code).toBe(2);
    expect(data.err).toBe('axon: --data: rntn models read sst, not mnist\n');

    const image = join(tmp.dir, 'small-rbm.axon');
    await save(rbm({ visibleSize: 784, hiddenSize: 4 }), image);
    const prompt = await axon('sample', image, '--prompt', 'ROMEO:');
    expect(prompt.code).toBe(2);
    expect(prompt.err).toBe(
      'axon: sample --prompt: goes with the language models (char-lstm, gpt), not a rbm model\n',
    );
  });
});
