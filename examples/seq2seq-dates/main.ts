/**
 * Sequence-to-sequence with attention: human-written dates ("3rd of March 1997", "03/03/97",
 * "Mon 3 Mar 1997", ...) translated character by character into ISO 8601 ("1997-03-03"). A
 * bidirectional GRU reads the input; a GRU decoder with additive (Bahdanau) attention writes the
 * output, trained with teacher forcing, decoded greedily. We report the exact-match accuracy on
 * 2,000 held-out dates (days never seen in training) and draw the attention of a test example:
 * the decoder looks at the day digits while writing the day, at the month name for the month.
 *
 *   pnpm example seq2seq-dates [--epochs N] [--seed N] [--backend cpu|gpu] [--json] [--smoke]
 */
import { join } from 'node:path';
import {
  DATE_BOS as BOS,
  type DatePair,
  datePairs,
  decodeDateTarget as decodeTgt,
  DATE_EOS as EOS,
  encodeDateSource as encodeSrc,
  encodeDateTarget as encodeTgt,
  DATE_PAD as PAD,
  SOURCE_CHARS,
  TARGET_CHARS,
} from '@axon/datasets';
import { save } from '@axon/layers';
import { seq2seq } from '@axon/models';
import { Adam } from '@axon/optim';
import { plotHistory, writeImageGrid } from '@axon/plot';
import * as ax from '@axon/tensor';
import { fit } from '@axon/train';
import { firstBatches, parseArgs, report } from '../common';

const args = parseArgs(import.meta.url, { epochs: 3 });
if (args.backend === 'gpu') await import('@axon/backend-gpu');
ax.setBackend(args.backend);
ax.manualSeed(args.seed);

// 1. Data. The 2,000 test dates come from a fixed seed (every run is scored on the same ones), on
//    distinct days; the training pairs are drawn from the other days, so a test date is never seen
//    in any format. Ids: input characters 1… (0 pads); output 0 pad, 1 begin, 2 end, digits and '-' 3….
const TEST_SEED = 1997;
const test = datePairs(2000, new ax.Generator(TEST_SEED), { distinct: true });
const train = datePairs(args.smoke ? 256 : 20_000, new ax.Generator(args.seed), { exclude: test.days });
console.log(`dates: ${train.pairs.length} training pairs, ${test.pairs.length} held-out test dates, e.g.`);
for (const p of test.pairs.slice(0, 4)) console.log(`  "${p.human}" → ${p.iso}`);

/** Rows of ids right-padded with PAD into an int32 [rows, longest] tensor. */
function padded(rows: number[][]): ax.Tensor {
  const width = Math.max(...rows.map((r) => r.length));
  const flat = new Int32Array(rows.length * width);
  for (const [i, r] of rows.entries()) flat.set(r, i * width);
  return ax.tensor(flat, { shape: [rows.length, width], dtype: 'int32' });
}

/** Batches {x: source ids, y: BOS target EOS}, reshuffled every epoch by a seeded generator. */
function batches(pairs: DatePair[], batchSize: number, shuffle: boolean) {
  const order = new ax.Generator(args.seed + 1);
  return {
    length: Math.ceil(pairs.length / batchSize),
    *[Symbol.iterator]() {
      const idx = shuffle
        ? Array.from(ax.tidy(() => ax.randperm(pairs.length, { generator: order }).dataSync()))
        : pairs.map((_, i) => i);
      for (let i = 0; i < idx.length; i += batchSize) {
        const chunk = idx.slice(i, i + batchSize).map((j) => pairs[j]);
        yield {
          x: padded(chunk.map((p) => encodeSrc(p.human))),
          y: padded(chunk.map((p) => encodeTgt(p.iso))),
        };
      }
    },
  };
}

// 2. The model: 32-wide character embeddings, a bidirectional GRU encoder (64 units each way),
//    a GRU decoder of 64 units attending additively over the 128-wide encoder outputs.
const model = seq2seq({
  srcVocabSize: SOURCE_CHARS.length + 1,
  tgtVocabSize: TARGET_CHARS.length + 3,
  embeddingDim: 32,
  hiddenSize: 64,
  cell: 'gru',
  bidirectional: true,
  attention: 'additive',
  padId: PAD,
  bosId: BOS,
  eosId: EOS,
});
console.log(`seq2seq: ${model.numParameters().toLocaleString('en-US')} parameters`);

// 3. Train with teacher forcing (the model's own step: cross-entropy of each next character),
//    Adam lr 3e-3, batches of 64; validation loss on 500 test dates after every epoch.
const trainData = batches(train.pairs, 64, true);
const valData = batches(test.pairs.slice(0, 500), 250, false);
const history = await fit(model, {
  optimizer: new Adam(model.parameters(), { lr: 3e-3 }),
  trainData: args.smoke ? firstBatches(trainData, 3) : trainData,
  valData: args.smoke ? firstBatches(valData, 1) : valData,
  epochs: args.epochs,
  seed: args.seed,
});

// 4. Exact match on the held-out dates, decoded greedily 250 at a time; a sample of beam search.
const scored = args.smoke ? test.pairs.slice(0, 50) : test.pairs;
let correct = 0;
const mistakes: string[] = [];
for (let i = 0; i < scored.length; i += 250) {
  const chunk = scored.slice(i, i + 250);
  const src = padded(chunk.map((p) => encodeSrc(p.human)));
  model.greedy(src, { maxLength: 12 }).forEach((r, j) => {
    const out = decodeTgt(r.tokens);
    if (out === chunk[j].iso) correct++;
    else if (mistakes.length < 5) mistakes.push(`"${chunk[j].human}" → ${out} (want ${chunk[j].iso})`);
  });
  src.dispose();
}
const accuracy = correct / scored.length;
console.log(`test exact match (greedy): ${(100 * accuracy).toFixed(2)}% of ${scored.length}`);
for (const m of mistakes) console.log(`  miss: ${m}`);

// 5. The attention of one test example as a heatmap: one row per output character, one column
//    per input character, white = all of the weight.
const shown = test.pairs.find((p) => p.human.includes(' of ')) ?? test.pairs[0];
const src = padded([encodeSrc(shown.human)]);
const beam = model.beamSearch(src, { beamSize: 3, maxLength: 12 });
const rows = beam.attention.length;
const heat = ax.tensor(beam.attention.flat(), { shape: [1, 1, rows, shown.human.length] });
const heatmap = await writeImageGrid(join(args.outDir, 'attention'), heat, { scale: 16, normalize: 'each' });
console.log(`"${shown.human}" → ${decodeTgt(beam.tokens)} (beam 3); attention heatmap ${heatmap.png}`);
console.log(`  rows: ${decodeTgt(beam.tokens)} (top to bottom); columns: "${shown.human}" (left to right)`);

const curves = await plotHistory(history, {
  path: join(args.outDir, 'seq2seq-dates-curves'),
  title: 'seq2seq dates: loss',
});
await save(model, join(args.outDir, 'seq2seq-dates.axon'));
console.log(`wrote ${curves.png} and ${join(args.outDir, 'seq2seq-dates.axon')}`);

report(
  args,
  {
    testExactMatch: accuracy,
    testDates: scored.length,
    finalLoss: history.history.loss.at(-1) ?? Number.NaN,
  },
  { key: 'testExactMatch', atLeast: 0.99 },
);
