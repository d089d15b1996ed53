/**
 * `axon sample <file.axon>`: an image grid (PNG, and an SVG around it) drawn by a generative model:
 * VAE, GAN and DBN samples, an RBM's Gibbs chains, autoencoder reconstructions of test images; or,
 * from a language model, text continuing `--prompt`, printed to stdout (the same seed, the same
 * text); from a translation model (seq2seq-dates), its greedy translation of `--prompt`, one
 * line. A model that cannot draw (a classifier, a regressor) is an error that says which ones can.
 * `axon train` uses writeSamples too, for the grid it leaves beside a generative model.
 */
import type { Module } from '@axon/layers';
import { writeImageGrid } from '@axon/plot';
import { Generator } from '@axon/tensor';
import type { Command } from 'commander';
import { type BackendName, useBackend } from '../backend';
import { DATA_SETS, type DataSetName, isDataSetName, loadSplit } from '../data_sets';
import { CliError, UsageError } from '../errors';
import { type DataName, FAMILY_NAMES, type FamilyName, family, samplingFamilies } from '../families';
import { type Io, println } from '../io';
import { openModel } from '../model_file';
import { backendOption, dataOption, positiveInt, positiveNumber, seedOption } from '../options';

interface SampleOptions {
  n: number;
  data?: DataName;
  out?: string;
  seed: number;
  backend: BackendName;
  prompt?: string;
  length?: number;
  temperature?: number;
  topK?: number;
}

/** The text options' defaults (set here, not in commander, so that an image model can refuse them). */
const TEXT_DEFAULTS = { length: 300, temperature: 0.8 };
const TEXT_OPTIONS = ['prompt', 'length', 'temperature', 'topK'] as const;
const textFamilies = () => FAMILY_NAMES.filter((name) => family(name).generate);
const translationFamilies = () => FAMILY_NAMES.filter((name) => family(name).translate);
/** The command-line spelling of a text option. */
const flagOf = (key: (typeof TEXT_OPTIONS)[number]) => (key === 'topK' ? '--top-k' : `--${key}`);

export function addSampleCommand(program: Command, io: Io): void {
  program
    .command('sample')
    .description(
      'draw an image grid (PNG + SVG) from a generative model file, or print text from a language model',
    )
    .argument('<file>', 'a .axon model file')
    .option('--n <count>', 'images to draw (autoencoders: test images to reconstruct)', positiveInt, 64)
    .option('--out <path>', 'output path without extension (default: <file>-samples)')
    .addOption(dataOption('test images to reconstruct or start chains from (autoencoders, RBM, DBN)'))
    .option(
      '--prompt <text>',
      'language models: the text to continue (default: "ROMEO:" and a newline); seq2seq-dates: the date to translate',
    )
    .option(
      '--length <n>',
      `language models: characters to write (default: ${TEXT_DEFAULTS.length})`,
      positiveInt,
    )
    .option(
      '--temperature <t>',
      `language models: < 1 sharpens, > 1 flattens the softmax (default: ${TEXT_DEFAULTS.temperature})`,
      positiveNumber,
    )
    .option('--top-k <k>', 'language models: draw among the k likeliest characters only', positiveInt)
    .addOption(seedOption())
    .addOption(backendOption())
    .addHelpText(
      'after',
      `\nModels that draw images: ${FAMILY_NAMES.filter((name) => family(name).sample).join(', ')}\n` +
        `Models that write text: ${textFamilies().join(', ')}\n` +
        `Models that translate --prompt: ${translationFamilies().join(', ')}\n\n` +
        'Examples:\n  axon sample out/vae/vae.axon --n 100\n' +
        '  axon sample out/char-lstm/char-lstm.axon --prompt "ROMEO:" --length 300 --temperature 0.8 --seed 1\n' +
        '  axon sample out/seq2seq-dates/seq2seq-dates.axon --prompt "3rd of March 1997"',
    )
    .action(async (file: string, o: SampleOptions) => {
      await useBackend(o.backend);
      const { model, family: name, data } = await openModel(file);
      const f = family(name);
      if (f.translate) {
        const drawn = TEXT_OPTIONS.filter((key) => key !== 'prompt' && o[key] !== undefined);
        if (drawn.length > 0) {
          const flag = flagOf(drawn[0]);
          throw new UsageError(
            `sample ${flag}: goes with the language models (${textFamilies().join(', ')}), not a ${name} model (it decodes greedily)`,
          );
        }
        println(io.out, f.translate(model, o.prompt ?? f.prompt ?? ''));
        return;
      }
      if (f.generate) {
        const prompt = o.prompt ?? f.prompt ?? '';
        const text = await f.generate(model, {
          prompt,
          length: o.length ?? TEXT_DEFAULTS.length,
          temperature: o.temperature ?? TEXT_DEFAULTS.temperature,
          topK: o.topK,
          generator: new Generator(o.seed),
        });
        io.out.write(`${prompt}${text}\n`);
        return;
      }
      const given = TEXT_OPTIONS.filter((key) => o[key] !== undefined);
      if (given.length > 0) {
        const flag = flagOf(given[0]);
        throw new UsageError(
          `sample ${flag}: goes with the language models (${textFamilies().join(', ')}), not a ${name} model`,
        );
      }
      if (!f.sample) throw cannotSample(name);
      const images = o.data ?? data;
      if (!isDataSetName(images)) {
        throw new UsageError(`sample --data: expected an image data set, got ${images}`);
      }
      const path = o.out ?? `${file.replace(/\.axon$/, '')}-samples`;
      const grid = await writeSamples(model, name, images, { n: o.n, seed: o.seed, path });
      println(io.out, `wrote ${grid.png} and ${grid.svg} (${grid.count} images from a ${name} model)`);
    });
}

const cannotSample = (name: FamilyName) =>
  new CliError(`${name} models cannot draw samples (models that can: ${samplingFamilies().join(', ')})`);

/** Draws with the family's sampler and writes the grid to `<path>.png` and `<path>.svg`. */
export async function writeSamples(
  model: Module,
  name: FamilyName,
  data: DataSetName,
  { n, seed, path }: { n: number; seed: number; path: string },
): Promise<{ png: string; svg: string; count: number }> {
  const f = family(name);
  if (!f.sample) throw cannotSample(name);
  const { images, nrow, labels } = await f.sample(model, {
    n,
    generator: new Generator(seed),
    exampleShape: DATA_SETS[data].exampleShape,
    async testImages(count) {
      const test = await loadSplit(data, 'test', count, f.inputs);
      test.y.dispose();
      return test.x;
    },
  });
  const written = await writeImageGrid(path, images, { nrow, labels, scale: 2 });
  const count = images.shape[0];
  images.dispose();
  return { ...written, count };
}
