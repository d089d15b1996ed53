/**
 * `axon train <model>`: trains a zoo model on its default data set with fit from @axon/train (its
 * progress bar on a terminal, one line per epoch), validating on the test split after every epoch
 * (a DBN: layer by layer, families.ts `train`), then writes into `--out` the model
 * (`<model>.axon`, with a note of how it was trained), its training curves
 * (`<model>-curves.png`/`.svg`) and, for a model that draws images, a grid of samples or
 * reconstructions (`<model>-samples.png`/`.svg`); a language model prints a sample of its text,
 * a translation model (seq2seq-dates) its translation of one date.
 */
import { join } from 'node:path';
import { save } from '@axon/layers';
import { plotHistory } from '@axon/plot';
import { Generator, manualSeed } from '@axon/tensor';
import { fit, formatLogs, type History, type Logs } from '@axon/train';
import { Argument, type Command } from 'commander';
import { type BackendName, useBackend } from '../backend';
import { isDataSetName } from '../data_sets';
import { FAMILY_NAMES, type FamilyName, family, MODEL_FAMILIES, splitBatches } from '../families';
import { type Io, println } from '../io';
import type { TrainingNote } from '../model_file';
import {
  backendOption,
  batchSizeOption,
  limitOption,
  positiveInt,
  positiveNumber,
  seedOption,
} from '../options';
import { EVAL_BATCH_SIZE } from './eval';
import { writeSamples } from './sample';

interface TrainOptions {
  epochs?: number;
  batchSize?: number;
  lr?: number;
  backend: BackendName;
  seed: number;
  limit?: number;
  out?: string;
}

export function addTrainCommand(program: Command, io: Io): void {
  program
    .command('train')
    .description('train a zoo model on its default data set; save it, its curves and its samples')
    .addArgument(new Argument('<model>', 'the model to train (listed below)').choices(FAMILY_NAMES))
    .option('--epochs <n>', "epochs (default: the model's, below)", positiveInt)
    .addOption(batchSizeOption("the model's"))
    .option('--lr <rate>', "the optimizer's learning rate (default: the model's)", positiveNumber)
    .addOption(backendOption())
    .addOption(seedOption())
    .addOption(limitOption())
    .option('--out <dir>', 'output folder (default: out/<model>)')
    .addHelpText(
      'after',
      () =>
        `\n${modelTable()}\n\n--limit counts characters for tiny-shakespeare, sentences or trees for sst and sst-2, dates for dates (seq2seq-dates); ` +
        `dbn's --epochs are per layer.\n\nExample:\n  axon train mlp --epochs 1 --limit 1024`,
    )
    .action((name: FamilyName, options: TrainOptions) => train(name, options, io));
}

/** Characters of the text a language model writes after training (the GPT reruns its context for each). */
const SAMPLE_LENGTH = 100;

/** The models, their data sets and defaults, for `axon train --help`. */
function modelTable(): string {
  const width = Math.max(...FAMILY_NAMES.map((n) => n.length));
  const dataWidth = Math.max(...FAMILY_NAMES.map((n) => MODEL_FAMILIES[n].data.length));
  const rows = FAMILY_NAMES.map((name) => {
    const f = family(name);
    const defaults = `${f.epochs} ep, batch ${f.batchSize}, lr ${f.lr}`;
    return `  ${name.padEnd(width)}  ${f.data.padEnd(dataWidth)}  ${f.summary} (${defaults})`;
  });
  return ['Models (name, data set, what, defaults):', ...rows].join('\n');
}

/** The last epoch's validation logs, which are the test split's (val_loss → loss). */
function testLogs(history: History): Logs {
  return Object.fromEntries(
    Object.entries(history.history)
      .filter(([key]) => key.startsWith('val_'))
      .map(([key, values]) => [key.slice('val_'.length), values[values.length - 1]]),
  );
}

async function train(name: FamilyName, o: TrainOptions, io: Io): Promise<void> {
  const f = family(name);
  const epochs = o.epochs ?? f.epochs;
  const batchSize = o.batchSize ?? f.batchSize;
  const lr = o.lr ?? f.lr;
  const out = o.out ?? join('out', name);
  await useBackend(o.backend);
  manualSeed(o.seed);

  const model = await f.build();
  const [trainSet, testSet] = await Promise.all([
    splitBatches(name, model, f.data, 'train', { limit: o.limit, batchSize, shuffle: true, seed: o.seed }),
    splitBatches(name, model, f.data, 'test', {
      limit: o.limit,
      batchSize: f.evalBatchSize ?? EVAL_BATCH_SIZE,
      shuffle: false,
      seed: o.seed,
    }),
  ]);
  println(
    io.out,
    `${name} on ${f.data}: ${trainSet.count} train and ${testSet.count} test ${testSet.unit}; ` +
      `${epochs} epoch${epochs === 1 ? '' : 's'}, batch ${batchSize}, lr ${lr}, ${o.backend} backend, seed ${o.seed}`,
  );
  f.prepare?.(model, trainSet);
  const history = f.train
    ? await f.train({ model, train: trainSet, val: testSet, epochs, lr, seed: o.seed, io })
    : await fit(model, {
        optimizers: f.training.optimizers(model, lr),
        loss: f.training.loss?.(),
        metrics: f.training.metrics,
        trainData: trainSet.source,
        valData: testSet.source,
        epochs,
        seed: o.seed,
        progressOutput: io.out,
      });
  const test = testLogs(history);
  println(io.out, `test  ${formatLogs(test)}`);

  const note: TrainingNote = {
    family: name,
    data: f.data,
    epochs,
    batchSize,
    lr,
    seed: o.seed,
    limit: o.limit ?? null,
    backend: o.backend,
    test,
  };
  const modelPath = join(out, `${name}.axon`);
  const curves = await plotHistory(history, {
    path: join(out, `${name}-curves`),
    title: `${name} on ${f.data}`,
  });
  await save(model, modelPath, { extra: { json: { cli: note } } });
  const written = [modelPath, curves.png, curves.svg];
  if (f.sample && isDataSetName(f.data)) {
    const grid = await writeSamples(model, name, f.data, {
      n: 64,
      seed: o.seed,
      path: join(out, `${name}-samples`),
    });
    written.push(grid.png, grid.svg);
  }
  println(io.out, `wrote ${written.join(', ')}`);
  if (f.generate && f.prompt) {
    const text = await f.generate(model, {
      prompt: f.prompt,
      length: SAMPLE_LENGTH,
      temperature: 0.8,
      generator: new Generator(o.seed),
    });
    println(io.out, `sample (temperature 0.8, seed ${o.seed}):\n${f.prompt}${text}`);
  }
  if (f.translate && f.prompt) {
    println(io.out, `sample (greedy): ${JSON.stringify(f.prompt)} → ${f.translate(model, f.prompt)}`);
  }
}
