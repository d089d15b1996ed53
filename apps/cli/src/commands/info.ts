/**
 * `axon info <file.axon>`: what a model file holds. From the header alone (inspectModelFile from
 * @axon/layers, which reads a damaged file too): the format version, the checksum's status, the
 * tensors and how `axon train` (or `axon import`) made the model; then, if the file is intact,
 * the model rebuilt and its summary (each layer, its output shape for an example input where the
 * family is known, its parameter count). A checksum that does not match is reported, and exits 1.
 */
import { fromBytes, inspectModelFile, type ModelFileInspection, type Module } from '@axon/layers';
import { dispose } from '@axon/tensor';
import { formatLogs } from '@axon/train';
import type { Command } from 'commander';
import { unitOf } from '../corpora';
import { CliError } from '../errors';
import { familyOfClass, summaryInputs } from '../families';
import { type Io, println } from '../io';
import { type CliNote, cliNote, isImportNote, readModelBytes } from '../model_file';

const EXTRA_PREFIX = 'extra/';

export function addInfoCommand(program: Command, io: Io): void {
  program
    .command('info')
    .description('show a model file: format version, checksum, training note, layers, shapes, parameters')
    .argument('<file>', 'a .axon model file')
    .addHelpText('after', '\nExample:\n  axon info out/mlp/mlp.axon')
    .action(async (file: string) => info(file, io));
}

const count = (n: number) => n.toLocaleString('en-US');
const plural = (n: number, word: string) => `${count(n)} ${word}${n === 1 ? '' : 's'}`;

async function info(path: string, io: Io): Promise<void> {
  const bytes = await readModelBytes(path);
  const file = inspectModelFile(bytes, path);
  const { header } = file;
  const row = (label: string, text: string) => println(io.out, `${label.padEnd(10)} ${text}`);
  row('file', `${path} (${plural(bytes.length, 'byte')})`);
  row('format', `${header.format}, version ${header.version}`);
  row('checksum', checksumText(file));
  if (file.byteLength !== file.expectedLength) {
    row(
      'length',
      `the header describes ${plural(file.expectedLength, 'byte')}, the file has ${count(file.byteLength)}`,
    );
  }
  const className = header.model.type;
  const note = cliNote(header.extra);
  const familyName = note?.family ?? familyOfClass(className);
  row(
    'model',
    `${className}${familyName ? `, read as ${familyName}` : ' (no model family of this CLI reads it)'}`,
  );
  if (note) row(isImportNote(note) ? 'imported' : 'trained', noteText(note));
  const state = header.tensors.filter((t) => !t.name.startsWith(EXTRA_PREFIX));
  const values = state.reduce((n, t) => n + t.shape.reduce((a, d) => a * d, 1), 0);
  const extra = header.tensors.length - state.length;
  row(
    'tensors',
    `${plural(state.length, 'tensor')}, ${plural(values, 'value')}${extra ? ` (+ ${extra} extra)` : ''}`,
  );

  if (file.checksum === 'mismatch' || file.byteLength !== file.expectedLength) {
    println(io.out);
    for (const t of state) println(io.out, `  ${t.name}  [${t.shape.join(', ')}] ${t.dtype}`);
    throw new CliError(
      `${path}: the file is corrupt or was changed after it was written (${file.checksum === 'mismatch' ? 'checksum mismatch' : 'wrong length'}); it will not load`,
    );
  }
  const { model } = fromBytes(bytes, path);
  println(io.out);
  println(io.out, summary(model, familyName));
}

function checksumText(file: ModelFileInspection): string {
  if (file.checksum === 'absent') return 'none (format 1 files have no checksum)';
  if (file.checksum === 'ok') return `ok (CRC-32 ${file.storedChecksum})`;
  if (file.storedChecksum === undefined) return 'MISMATCH: the file is too short to hold its checksum';
  return `MISMATCH: the file records CRC-32 ${file.storedChecksum}, its contents give ${file.actualChecksum}`;
}

function noteText(n: CliNote): string {
  if (isImportNote(n)) return `axon import ${n.imported} --model ${n.family}`;
  const limit = n.limit === null ? '' : `, first ${count(n.limit)} ${unitOf(n.data)}`;
  const settings = `${plural(n.epochs, 'epoch')}, batch ${n.batchSize}, lr ${n.lr}, seed ${n.seed}, ${n.backend}${limit}`;
  return `axon train ${n.family} on ${n.data}: ${settings}; test ${formatLogs(n.test)}`;
}

/** The layer table, with output shapes when the family gives an input the model takes. */
function summary(model: Module, familyName: ReturnType<typeof familyOfClass>): string {
  if (familyName) {
    const [input, ...rest] = summaryInputs(familyName, model);
    try {
      return model.summary(input, ...rest);
    } catch {
      // The model does not take the family's input (a file read by its class alone): no shapes.
    } finally {
      dispose([input, ...rest]);
    }
  }
  return model.summary();
}
