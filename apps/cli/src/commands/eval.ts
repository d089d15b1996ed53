/**
 * `axon eval <file.axon> [--data <name>]`: evaluates a saved model on a test split with evaluate
 * from @axon/train: the loss and accuracy of a classifier, the loss of a regressor, and what a
 * model with its own step logs (an autoencoder's reconstruction loss, a VAE's negative ELBO with
 * its reconstruction and KL terms, a GAN's two losses). The data set defaults to the one the model
 * was trained on.
 */
import { DataLoader } from '@axon/datasets';
import { evaluate, formatLogs } from '@axon/train';
import type { Command } from 'commander';
import { type BackendName, useBackend } from '../backend';
import { type DataSetName, loadSplit } from '../data_sets';
import { family } from '../families';
import { type Io, println } from '../io';
import { openModel } from '../model_file';
import { backendOption, batchSizeOption, dataOption, limitOption, seedOption } from '../options';

/** Batch size of evaluation passes (no gradients are kept: larger batches only cost memory). */
export const EVAL_BATCH_SIZE = 500;

interface EvalOptions {
  data?: DataSetName;
  limit?: number;
  batchSize?: number;
  seed: number;
  backend: BackendName;
  json?: boolean;
}

export function addEvalCommand(program: Command, io: Io): void {
  program
    .command('eval')
    .description("evaluate a model file on a test split (its loss and accuracy, or its family's own logs)")
    .argument('<file>', 'a .axon model file')
    .addOption(dataOption())
    .addOption(limitOption())
    .addOption(batchSizeOption(String(EVAL_BATCH_SIZE)))
    .addOption(seedOption())
    .addOption(backendOption())
    .option('--json', 'print one JSON object instead of the text line')
    .addHelpText('after', '\nExample:\n  axon eval out/mlp/mlp.axon --data fashion-mnist')
    .action(async (file: string, o: EvalOptions) => {
      await useBackend(o.backend);
      const opened = await openModel(file);
      const f = family(opened.family);
      const data = o.data ?? opened.data;
      const test = await loadSplit(data, 'test', o.limit, f.inputs);
      const logs = await evaluate(
        opened.model,
        new DataLoader(test, { batchSize: o.batchSize ?? EVAL_BATCH_SIZE }),
        {
          loss: f.training.loss?.(),
          metrics: f.training.metrics,
          seed: o.seed,
        },
      );
      if (o.json) {
        println(io.out, JSON.stringify({ file, model: opened.family, data, examples: test.length, ...logs }));
      } else {
        println(io.out, `${opened.family} on ${data} test (${test.length} examples): ${formatLogs(logs)}`);
      }
    });
}
