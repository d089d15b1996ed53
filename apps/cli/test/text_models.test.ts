// The text and tree families on a sliver of their corpora: `axon train` for the char-LSTM and the
// GPT (tiny-shakespeare), the sentence biLSTM (SST-2), the RNTN (SST) and seq2seq-dates (date
// pairs), then `info`, `eval` (nats per character, accuracy, the RNTN's four sentiment accuracies,
// seq2seq's exact match) and, for the language models, `sample` printing text that one seed
// reproduces, for seq2seq a translation; and the text options' usage errors.
import { join } from 'node:path';
import { save } from '@axon/layers';
import { rbm, seq2seq } from '@axon/models';
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

describe('seq2seq-dates', () => {
  it('trains on date pairs, scores exact match, translates a prompt', async () => {
    const file = await trained('seq2seq-dates', '--limit', '64');
    const info = await axon('info', file);
    expect(info.code).toBe(0);
    expect(info.out).toContain('model      Seq2Seq, read as seq2seq-dates');
    expect(info.out).toContain('first 64 dates');

    const scored = await axon('eval', file, '--limit', '50', '--json');
    expect(scored.code).toBe(0);
    const logs = JSON.parse(scored.out);
    expect(logs).toMatchObject({ model: 'seq2seq-dates', data: 'dates', examples: 50 });
    expect(logs.loss).toBeGreaterThan(0);
    expect(logs.accuracy).toBeGreaterThanOrEqual(0);
    expect(logs.accuracy).toBeLessThanOrEqual(1);

    const sample = await axon('sample', file, '--prompt', '3rd of March 1997');
    expect(sample.err).toBe('');
    expect(sample.code).toBe(0);
    expect(sample.out).toMatch(/^[^\n]*\n$/); // one line: the translation
    expect(sample.out.trim().length).toBeLessThanOrEqual(12);

    const bad = await axon('sample', file, '--prompt', '3rd of März 1997');
    expect(bad.code).toBe(2);
    expect(bad.err).toContain('sample --prompt: expected the 61 characters dates are written in');
    expect(bad.err).toContain('got "ä"');
    const drawn = await axon('sample', file, '--temperature', '0.5');
    expect(drawn.code).toBe(2);
    expect(drawn.err).toContain('sample --temperature: goes with the language models');
  }, 180_000); // a whole train/eval/sample cycle: seconds idle, room for a loaded machine

  it('reads a Seq2Seq saved by the example as seq2seq-dates', async () => {
    const file = join(tmp.dir, 'example-seq2seq.axon');
    const model = seq2seq({
      srcVocabSize: 62,
      tgtVocabSize: 14,
      embeddingDim: 4,
      hiddenSize: 4,
      bidirectional: true,
    });
    await save(model, file);
    const info = await axon('info', file);
    expect(info.err).toBe('');
    expect(info.code).toBe(0);
    expect(info.out).toContain('model      Seq2Seq, read as seq2seq-dates');
    const sample = await axon('sample', file, '--prompt', 'Mon 3 Mar 1997');
    expect(sample.code).toBe(0);
    expect(sample.out.split('\n')).toHaveLength(2);
  }, 60_000);
});
