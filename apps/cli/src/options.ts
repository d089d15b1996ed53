/**
 * The options several commands share (`--backend`, `--seed`, `--limit`, `--batch-size`, `--data`),
 * with their value checks. A bad value is commander's InvalidArgumentError, reported as a usage
 * error (exit 2) that names the option.
 */
import { InvalidArgumentError, Option } from 'commander';
import { BACKENDS } from './backend';
import { CORPORA } from './corpora';
import { DATA_SETS } from './data_sets';

function integer(value: string, min: number): number {
  const n = Number(value);
  if (value.trim() === '' || !Number.isInteger(n) || n < min) {
    throw new InvalidArgumentError(`expected an integer >= ${min}.`);
  }
  return n;
}

export const positiveInt = (value: string): number => integer(value, 1);
export const nonNegativeInt = (value: string): number => integer(value, 0);

export function positiveNumber(value: string): number {
  const n = Number(value);
  if (value.trim() === '' || !Number.isFinite(n) || n <= 0) {
    throw new InvalidArgumentError('expected a number > 0.');
  }
  return n;
}

export const backendOption = (): Option =>
  new Option('--backend <name>', 'tensor backend').choices(BACKENDS).default('cpu');

export const seedOption = (): Option =>
  new Option('--seed <n>', 'seed for every random draw').argParser(nonNegativeInt).default(0);

export const limitOption = (): Option =>
  new Option('--limit <n>', 'use only the first N examples of each split (quick runs)').argParser(
    positiveInt,
  );

export const batchSizeOption = (what: string): Option =>
  new Option('--batch-size <n>', `examples per batch (default: ${what})`).argParser(positiveInt);

export const dataOption = (what = 'data set'): Option =>
  new Option('--data <name>', `${what} (default: the model's own)`).choices([
    ...Object.keys(DATA_SETS),
    ...Object.keys(CORPORA),
  ]);
