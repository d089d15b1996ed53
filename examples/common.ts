/**
 * The little bit of plumbing every example shares, kept out of the tutorials: command-line flags,
 * where outputs go, a wall clock, and the final report (one JSON line with --json). It imports
 * nothing but Node, so each example still shows every Axon call it makes.
 *
 *   --epochs N          train for N epochs (each example has its own default)
 *   --backend cpu|gpu   the tensor backend (default cpu)
 *   --seed N            the seed for every random draw (default 0)
 *   --json              the last line printed is one JSON object of final metrics
 *   --smoke             a quick check: 1 epoch over a few batches, outputs under out/smoke/
 *
 * An example may add its own choices (`parseArgs(url, {epochs, choices: {loss: ['a', 'b']}})` reads
 * `--loss a|b` into `args.choices.loss`, the first value by default), and a long one may declare
 * itself `resumable`: `--resume` then sets `args.resume` (continue from the example's checkpoint).
 */
import { mkdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export interface ExampleArgs {
  /** The example's folder name ('mnist-mlp'). */
  name: string;
  epochs: number;
  backend: 'cpu' | 'gpu';
  seed: number;
  json: boolean;
  smoke: boolean;
  /** Where outputs go: examples/<name>/out/ (out/smoke/ with --smoke), or --out DIR; created. */
  outDir: string;
  /** --resume (only for an example that declares itself `resumable`): continue from its checkpoint. */
  resume: boolean;
}

const USAGE = '[--epochs N] [--backend cpu|gpu] [--seed N] [--json] [--smoke] [--out DIR]';

/**
 * Reads the flags (a bad one prints what is wrong, naming the example, and exits with status 2). `mainUrl` is the example's `import.meta.url` (outputs go next to it); in smoke
 * mode the epochs default to 1.
 */
export function parseArgs<
  const C extends Record<string, readonly [string, ...string[]]> = Record<never, never>,
>(
  mainUrl: string,
  defaults: { epochs: number; choices?: C; resumable?: boolean },
  argv: readonly string[] = process.argv.slice(2),
): ExampleArgs & { choices: { [K in keyof C]: C[K][number] } } {
  const folder = dirname(fileURLToPath(mainUrl));
  const name = folder.split(/[\\/]/).pop() ?? 'example';
  const choiceSpecs = Object.entries(defaults.choices ?? {}) as [string, readonly string[]][];
  const usage = [
    USAGE,
    ...choiceSpecs.map(([k, values]) => `[--${k} ${values.join('|')}]`),
    ...(defaults.resumable ? ['[--resume]'] : []),
  ].join(' ');
  const choices: Record<string, string> = Object.fromEntries(
    choiceSpecs.map(([k, values]) => [k, values[0]]),
  );
  const fail = (msg: string): never => {
    console.error(`${name}: ${msg}\nusage: pnpm example ${name} ${usage}`);
    process.exit(2);
  };
  const intValue = (flag: string, raw: string | undefined, min: number): number => {
    if (raw === undefined || raw.startsWith('--')) fail(`${flag} needs a value`);
    const v = Number(raw);
    if (!Number.isInteger(v) || v < min) fail(`${flag} must be an integer >= ${min}, got '${raw}'`);
    return v;
  };
  let epochs: number | undefined;
  let backend: 'cpu' | 'gpu' = 'cpu';
  let seed = 0;
  let json = false;
  let smoke = false;
  let out: string | undefined;
  let resume = false;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--epochs') epochs = intValue(a, argv[++i], 1);
    else if (a === '--seed') seed = intValue(a, argv[++i], 0);
    else if (a === '--backend') {
      const b = argv[++i];
      if (b !== 'cpu' && b !== 'gpu') fail(`--backend must be 'cpu' or 'gpu', got '${b ?? ''}'`);
      backend = b as 'cpu' | 'gpu';
    } else if (a === '--json') json = true;
    else if (a === '--smoke') smoke = true;
    else if (a === '--resume' && defaults.resumable) resume = true;
    else if (a === '--out') {
      out = argv[++i];
      if (out === undefined || out.startsWith('--')) fail('--out needs a folder');
    } else {
      const spec = choiceSpecs.find(([k]) => a === `--${k}`);
      if (!spec) fail(`unknown argument '${a}'`);
      const [k, values] = spec as [string, readonly string[]];
      const v = argv[++i];
      if (v === undefined || !values.includes(v))
        fail(`--${k} must be ${values.map((x) => `'${x}'`).join(' or ')}, got '${v ?? ''}'`);
      choices[k] = v as string;
    }
  }
  const outDir =
    out !== undefined ? resolve(out) : smoke ? join(folder, 'out', 'smoke') : join(folder, 'out');
  mkdirSync(outDir, { recursive: true });
  return {
    name,
    epochs: epochs ?? (smoke ? 1 : defaults.epochs),
    backend,
    seed,
    json,
    smoke,
    outDir,
    resume,
    choices: choices as { [K in keyof C]: C[K][number] },
  };
}

/** Seconds since the program started (for the report). */
export function elapsed(): number {
  return Math.round(performance.now() / 100) / 10;
}

/**
 * The first `n` batches of each pass over `source` (a data loader, an array): smoke runs use a few.
 * It keeps a `length`, so fit's progress bar knows the count as it does for the loader itself.
 */
export function firstBatches<T>(
  source: Iterable<T> & { length: number },
  n: number,
): Iterable<T> & { length: number } {
  return {
    length: Math.max(0, Math.min(n, source.length)),
    *[Symbol.iterator]() {
      if (n <= 0) return;
      let i = 0;
      for (const item of source) {
        yield item;
        if (++i >= n) return;
      }
    },
  };
}

/**
 * Prints the final metrics: human-readable lines, then (with --json) one JSON object as the last
 * line. `target` is the example's goal; missing it prints a warning (a smoke run never checks).
 */
export function report(
  args: ExampleArgs,
  metrics: Record<string, number | string | boolean>,
  target?: { key: string; atLeast?: number; atMost?: number },
): void {
  const out: Record<string, number | string | boolean> = {
    example: args.name,
    ...metrics,
    epochs: args.epochs,
    backend: args.backend,
    seed: args.seed,
    smoke: args.smoke,
    seconds: elapsed(),
  };
  if (target && !args.smoke) {
    const v = Number(metrics[target.key]);
    const met =
      (target.atLeast === undefined || v >= target.atLeast) &&
      (target.atMost === undefined || v <= target.atMost);
    out.targetMet = met;
    const goal = target.atLeast !== undefined ? `>= ${target.atLeast}` : `<= ${target.atMost}`;
    if (!met) console.warn(`${args.name}: ${target.key} ${v} missed the target (${goal})`);
  }
  console.log(`${args.name}: done in ${out.seconds} s`);
  if (args.json) console.log(JSON.stringify(out));
}

/**
 * Each batch of each pass over `source` passed through `fn` (binarise, rescale, drop the labels),
 * keeping the source's `length` for fit's progress bar. fit asks a synchronous source for each batch
 * inside the step's `tidy`, so what `fn` makes is freed with the step.
 */
export function mapBatches<T, U>(
  source: Iterable<T> & { length: number },
  fn: (item: T) => U,
): Iterable<U> & { length: number } {
  return {
    length: source.length,
    *[Symbol.iterator]() {
      for (const item of source) yield fn(item);
    },
  };
}
