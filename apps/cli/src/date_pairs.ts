/**
 * The `dates` data set of the seq2seq-dates family, as the example makes it: human-written dates
 * paired with their ISO 8601 form (`datePairs` from @axon/datasets). Its test split is 2,000
 * dates on distinct days from a fixed seed, so every model is scored on the same ones; its
 * training split is 20,000 pairs from `--seed`, drawn from the other days only, so no test date
 * is seen in training in any format. The ids are the example's (@axon/datasets encodes both), so a
 * model the example saved reads here as it reads there. Here too live the batches,
 * the exact-match accuracy of greedy decoding and the translation `axon sample` prints.
 */
import {
  DATE_BOS,
  DATE_EOS,
  DATE_PAD,
  type DatePair,
  datePairs,
  decodeDateTarget,
  encodeDateSource,
  encodeDateTarget,
  SOURCE_CHARS,
  TARGET_CHARS,
} from '@axon/datasets';
import type { Module } from '@axon/layers';
import { Seq2Seq } from '@axon/models';
import { Generator, randperm, type Tensor, tensor, tidy } from '@axon/tensor';
import type { Batch } from '@axon/train';
import type { Batcher } from './batches';
import type { Split } from './data_sets';
import { UsageError } from './errors';

/** The example's split: 2,000 held-out dates from seed 1997, 20,000 training pairs. */
const TEST_SEED = 1997;
const TEST_DATES = 2000;
const TRAIN_PAIRS = 20_000;
export const DATES_UNIT = 'dates';
/** The longest output greedy decoding writes (an ISO date is 10 characters). */
const MAX_OUTPUT = 12;
/** Rows decoded at once when scoring. */
const DECODE_CHUNK = 250;

export const PAD = DATE_PAD;
export const BOS = DATE_BOS;
export const EOS = DATE_EOS;
/** The vocabularies the model is built with: the characters and padding (and begin, end). */
export const SOURCE_VOCAB = SOURCE_CHARS.length + 1;
export const TARGET_VOCAB = TARGET_CHARS.length + 3;

const testSplit = (() => {
  let made: { pairs: DatePair[]; days: Set<number> } | undefined;
  return () => {
    made ??= datePairs(TEST_DATES, new Generator(TEST_SEED), { distinct: true });
    return made;
  };
})();

/** The first `limit` pairs of a split (training pairs drawn from `seed`, the test split fixed). */
export function dateSplit(split: Split, seed: number, limit?: number): DatePair[] {
  const test = testSplit();
  if (split === 'test') return limit === undefined ? test.pairs : test.pairs.slice(0, limit);
  const count = Math.min(limit ?? TRAIN_PAIRS, TRAIN_PAIRS);
  return datePairs(count, new Generator(seed), { exclude: test.days }).pairs;
}

/** Rows of ids right-padded with PAD into an int32 [rows, longest] tensor. */
function padded(rows: number[][]): Tensor {
  const width = Math.max(...rows.map((r) => r.length));
  const flat = new Int32Array(rows.length * width);
  for (const [i, r] of rows.entries()) flat.set(r, i * width);
  return tensor(flat, { shape: [rows.length, width], dtype: 'int32' });
}

/** Batches {x: source ids, y: BOS target EOS}, reshuffled every epoch (seeded) when `shuffle`. */
export const dateBatches: Batcher = async (_model, split, { limit, batchSize, shuffle, seed }) => {
  const pairs = dateSplit(split, seed, limit);
  const order = new Generator(seed + 1);
  const source = {
    length: Math.ceil(pairs.length / batchSize),
    *[Symbol.iterator](): Iterator<Batch> {
      const idx = shuffle
        ? Array.from(tidy(() => randperm(pairs.length, { generator: order }).dataSync()))
        : pairs.map((_, i) => i);
      for (let i = 0; i < idx.length; i += batchSize) {
        const chunk = idx.slice(i, i + batchSize).map((j) => pairs[j]);
        yield {
          x: padded(chunk.map((p) => encodeDateSource(p.human))),
          y: padded(chunk.map((p) => encodeDateTarget(p.iso))),
        };
      }
    },
  };
  return { source, count: pairs.length, unit: DATES_UNIT };
};

function asSeq2Seq(model: Module): Seq2Seq {
  if (!(model instanceof Seq2Seq)) throw new TypeError(`expected a Seq2Seq, got a ${model.constructor.name}`);
  return model;
}

/** The fraction of `pairs` whose greedy translation is exactly the ISO date. */
export function exactMatch(model: Module, pairs: readonly DatePair[]): number {
  const s2s = asSeq2Seq(model);
  let correct = 0;
  for (let i = 0; i < pairs.length; i += DECODE_CHUNK) {
    const chunk = pairs.slice(i, i + DECODE_CHUNK);
    const src = padded(chunk.map((p) => encodeDateSource(p.human)));
    s2s.greedy(src, { maxLength: MAX_OUTPUT }).forEach((r, j) => {
      if (decodeDateTarget(r.tokens) === chunk[j].iso) correct++;
    });
    src.dispose();
  }
  return pairs.length === 0 ? 0 : correct / pairs.length;
}

/** The model's greedy translation of one human-written date; a character it cannot read is a usage error. */
export function translation(model: Module, prompt: string): string {
  const s2s = asSeq2Seq(model);
  if (prompt.length === 0)
    throw new UsageError('sample --prompt: expected a date such as "3rd of March 1997", got ""');
  const unknown = [...prompt].find((c) => !SOURCE_CHARS.includes(c));
  if (unknown !== undefined) {
    throw new UsageError(
      `sample --prompt: expected the ${SOURCE_CHARS.length} characters dates are written in (letters, digits, " ,./"), got ${JSON.stringify(unknown)} in ${JSON.stringify(prompt)}`,
    );
  }
  const src = padded([encodeDateSource(prompt)]);
  const [result] = s2s.greedy(src, { maxLength: MAX_OUTPUT });
  src.dispose();
  return decodeDateTarget(result.tokens);
}

/** A one-date source and a begin token: what `info` runs a Seq2Seq on. */
export const dateInputs = (_model: Module): Tensor[] => [
  padded([encodeDateSource('3 March 1997')]),
  tensor(new Int32Array([BOS]), { shape: [1, 1], dtype: 'int32' }),
];
