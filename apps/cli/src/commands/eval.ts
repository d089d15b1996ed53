/**
 * `axon eval <file.axon> [--data <name>]`: evaluates a saved model on a test split with evaluate
 * from @axon/train: the loss and accuracy of a classifier, the loss of a regressor, and what a
 * model with its own step logs (an autoencoder's reconstruction loss, a VAE's negative ELBO with
 * its reconstruction and KL terms, a GAN's two losses, an RBM's reconstruction error, free energy
 * and pseudo-likelihood, a language model's loss in nats per character) or what its family scores
 * instead (an RNTN's four sentiment accuracies, a DBN's reconstruction error per layer). The data
 * set defaults to the one the model was trained on.
 */
import { evaluate, formatLogs } from '@axon/train';
import type { Command } from 'commander';
import { type BackendName, useBackend } from '../backend';
import { type DataName, family, splitBatches } from '../families';
import { type Io, println } from '../io';
import { openModel } from '../model_file';
import { backendOption, batchSizeOption, dataOption, limitOption, seedOption } from '../options';

/** Batch size of evaluation passes (no gradients are kept: larger batches only cost memory). */
export const EVAL_BATCH_SIZE = 500;

interface EvalOptions {
  data?: DataName;
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
    .addOption(batchSizeOption(`${EVAL_BATCH_SIZE}; text and trees: the model's`))
    .addOption(seedOption())
    .addOption(backendOption())
    .option('--json', 'print one JSON object instead of the text line')
    .addHelpText('after', '\nExample:\n  axon eval out/mlp/mlp.axon --data fashion-mnist')
    .action(async (file: string, o: EvalOptions) => {
      await useBackend(o.backend);
      const opened = await openModel(file);
      const f = family(opened.family);
      const data = o.data ?? opened.data;
      const batchSize = o.batchSize ?? f.evalBatchSize ?? EVAL_BATCH_SIZE;
      const test = await splitBatches(opened.family, opened.model, data, 'test', {
        limit: o.limit,
        batchSize,
        shuffle: false,
        seed: o.seed,
      });
      const logs = f.evaluate
        ? await f.evaluate(opened.model, test, { limit: o.limit, seed: o.seed })
        : await evaluate(opened.model, test.source, {
            loss: f.training.loss?.(),
            metrics: f.training.metrics,
            seed: o.seed,
          });
      if (o.json) {
        println(io.out, JSON.stringify({ file, model: opened.family, data, examples: test.count, ...logs }));
      } else {
        println(io.out, `${opened.family} on ${data} test (${test.count} ${test.unit}): ${formatLogs(logs)}`);
      }
    });
}
