/**
 * The `.axon` files the commands read and write. `axon train` saves beside the weights a note of
 * how the model was trained (the family, the data set, the options, the test logs), in the file's
 * extra JSON under `cli`; `axon import` a note of where the weights came from. `eval`, `sample`
 * and `export` read it to know what the model is. A file saved by another program (an example)
 * has no note: its family is guessed from the model's class (families.ts, `readsClass`). A
 * missing file is named as such, before anything is parsed.
 */
import { readFile } from 'node:fs/promises';
import { fromBytes, layerNameOf, type Module } from '@axon/layers';
import type { Logs } from '@axon/train';
import { CliError } from './errors';
import { type DataName, type FamilyName, family, familyOfClass, isDataName, isFamilyName } from './families';

/** How `axon train` made a model: saved in the file as `extra.cli`. */
export interface TrainingNote {
  family: FamilyName;
  data: DataName;
  epochs: number;
  batchSize: number;
  lr: number;
  seed: number;
  limit: number | null;
  backend: string;
  /** The last epoch's evaluation on the test split (the keys without their `val_` prefix). */
  test: Logs;
}

/** How `axon import` made a model: a family built fresh, its weights from a PyTorch state dict. */
export interface ImportNote {
  family: FamilyName;
  /** The family's default data set (what `eval` and `sample` use). */
  data: DataName;
  /** The safetensors file the weights were read from, as the command line named it. */
  imported: string;
}

/** What the CLI notes in a model file it writes (`extra.cli`). */
export type CliNote = TrainingNote | ImportNote;

export const isImportNote = (note: CliNote): note is ImportNote => 'imported' in note;

/** The note in a file's extra JSON, when it is one this CLI wrote (and still knows the family and data set of). */
export function cliNote(extraJson: unknown): CliNote | undefined {
  const note = (extraJson as { cli?: Partial<CliNote> } | undefined)?.cli;
  if (!note || !isFamilyName(note.family) || !isDataName(note.data)) return undefined;
  return note as CliNote;
}

/** The file's bytes; a missing path or a folder is a CliError naming it. */
export async function readModelBytes(path: string): Promise<Uint8Array> {
  try {
    return new Uint8Array(await readFile(path));
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new CliError(`${path}: no such file`);
    if (code === 'EISDIR') throw new CliError(`${path}: is a directory, not a model file`);
    throw new CliError(`${path}: cannot read the file: ${(e as Error).message}`, { cause: e });
  }
}

export interface ReadModel {
  model: Module;
  /** The registered name of the model's class, as the file spells it. */
  className: string;
  /** Its family: the note's, else the one that reads its class; undefined when none does. */
  family: FamilyName | undefined;
  note: CliNote | undefined;
}

/** Loads the model in `path` and its family, if the CLI knows it (`export` works without one). */
export async function readModel(path: string): Promise<ReadModel> {
  const { model, extra } = fromBytes(await readModelBytes(path), path);
  const note = cliNote(extra.json);
  // The registered name, as the file spells it (a bundler may rename the class itself).
  const className = layerNameOf(model);
  return { model, className, family: note?.family ?? familyOfClass(className), note };
}

export interface OpenedModel extends ReadModel {
  family: FamilyName;
  /** The data set the model was trained on (the family's default without a note). */
  data: DataName;
}

/** Loads the model in `path` and finds its family; a file no family reads is a CliError. */
export async function openModel(path: string): Promise<OpenedModel> {
  const read = await readModel(path);
  const name = read.family;
  if (!name) {
    throw new CliError(
      `${path}: a ${read.className} model, which no model family of this CLI reads (see \`axon train --help\`)`,
    );
  }
  return { ...read, family: name, data: read.note?.data ?? family(name).data };
}
