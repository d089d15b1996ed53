/**
 * `axon import <file.safetensors> --model <name>`: weights trained elsewhere (PyTorch, or `axon
 * export --safetensors`) into a `.axon` file the other commands read. The zoo model is built as
 * `axon train` builds it (families.ts), the PyTorch state dict is copied in by @axon/interop's
 * fromTorchStateDict (every name, shape and dtype checked first; a missing or extra tensor is an
 * error), and the file notes the family and where the weights came from, so `info`, `eval` and
 * `sample` know what the model is.
 */
import { fromSafetensors, fromTorchStateDict } from '@axon/interop';
import { save } from '@axon/layers';
import { dispose } from '@axon/tensor';
import { type Command, Option } from 'commander';
import { CliError } from '../errors';
import { FAMILY_NAMES, type FamilyName, family } from '../families';
import { type Io, println } from '../io';
import { type ImportNote, readModelBytes } from '../model_file';
import { weightsText } from './export';

interface ImportOptions {
  model: FamilyName;
  out?: string;
}

export function addImportCommand(program: Command, io: Io): void {
  program
    .command('import')
    .description("make a model file from PyTorch weights (a safetensors state dict) of a zoo model's shape")
    .argument('<file>', 'a .safetensors file')
    .addOption(
      new Option('--model <name>', 'the zoo model the weights are for (axon train --help lists them)')
        .choices(FAMILY_NAMES)
        .makeOptionMandatory(),
    )
    .option('--out <path>', 'the model file to write (default: <file> with .axon for .safetensors)')
    .addHelpText(
      'after',
      "\nThe tensors must be the model's, under PyTorch's names (the torch module written layer for layer\n" +
        "like the Axon one: see @axon/interop's README), with the same shapes: nothing missing, nothing extra.\n\n" +
        'Example:\n  axon import mlp.safetensors --model mlp --out mlp.axon && axon eval mlp.axon',
    )
    .action((file: string, o: ImportOptions) => importWeights(file, o, io));
}

async function importWeights(path: string, o: ImportOptions, io: Io): Promise<void> {
  const f = family(o.model);
  const out = o.out ?? `${path.replace(/\.safetensors$/, '')}.axon`;
  const { tensors } = fromSafetensors(await readModelBytes(path), path);
  const model = await f.build();
  try {
    fromTorchStateDict(model, tensors, { source: path });
  } catch (e) {
    const reason = (e as Error).message;
    throw new CliError(`${path}: not the weights of ${o.model} (${f.summary}): ${reason}`, { cause: e });
  } finally {
    dispose(Object.values(tensors));
  }
  const note: ImportNote = { family: o.model, data: f.data, imported: path };
  await save(model, out, { extra: { json: { cli: note } } });
  println(io.out, `wrote ${out} (${o.model}): ${weightsText(model)}, from ${path}`);
}
