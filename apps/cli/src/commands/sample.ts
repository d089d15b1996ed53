/**
 * `axon sample <file.axon>`: an image grid (PNG, and an SVG around it) drawn by a generative model:
 * VAE and GAN samples, autoencoder reconstructions of test images. A model that cannot draw
 * (a classifier, a regressor) is an error that says which ones can. `axon train` uses
 * writeSamples too, for the grid it leaves beside a generative model.
 */
import type { Module } from '@axon/layers';
import { Generator } from '@axon/tensor';
import { writeImageGrid } from '@axon/train';
import type { Command } from 'commander';
import { type BackendName, useBackend } from '../backend';
import { DATA_SETS, type DataSetName, loadSplit } from '../data_sets';
import { CliError } from '../errors';
import { type FamilyName, family, samplingFamilies } from '../families';
import { type Io, println } from '../io';
import { openModel } from '../model_file';
import { backendOption, dataOption, positiveInt, seedOption } from '../options';

interface SampleOptions {
  n: number;
  data?: DataSetName;
  out?: string;
  seed: number;
  backend: BackendName;
}

export function addSampleCommand(program: Command, io: Io): void {
  program
    .command('sample')
    .description('draw an image grid (PNG + SVG) from a VAE, GAN or autoencoder model file')
    .argument('<file>', 'a .axon model file')
    .option('--n <count>', 'images to draw (autoencoders: test images to reconstruct)', positiveInt, 64)
    .option('--out <path>', 'output path without extension (default: <file>-samples)')
    .addOption(dataOption('test images to reconstruct (autoencoders)'))
    .addOption(seedOption())
    .addOption(backendOption())
    .addHelpText(
      'after',
      `\nModels that sample: ${samplingFamilies().join(', ')}\n\nExample:\n  axon sample out/vae/vae.axon --n 100`,
    )
    .action(async (file: string, o: SampleOptions) => {
      await useBackend(o.backend);
      const { model, family: name, data } = await openModel(file);
      const path = o.out ?? `${file.replace(/\.axon$/, '')}-samples`;
      const grid = await writeSamples(model, name, o.data ?? data, { n: o.n, seed: o.seed, path });
      println(io.out, `wrote ${grid.png} and ${grid.svg} (${grid.count} images from a ${name} model)`);
    });
}

/** Draws with the family's sampler and writes the grid to `<path>.png` and `<path>.svg`. */
export async function writeSamples(
  model: Module,
  name: FamilyName,
  data: DataSetName,
  { n, seed, path }: { n: number; seed: number; path: string },
): Promise<{ png: string; svg: string; count: number }> {
  const f = family(name);
  if (!f.sample) {
    throw new CliError(
      `${name} models cannot draw samples (models that can: ${samplingFamilies().join(', ')})`,
    );
  }
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
