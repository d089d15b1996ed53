/**
 * `axon bench`: inside an Axon checkout (this folder or one above it holds `bench/src/main.ts`),
 * the repository's benchmarks (`pnpm bench`: Axon against TensorFlow.js, jax-js and PyTorch), run
 * with the checkout's tsx and the options passed on. Elsewhere (the CLI installed on its own,
 * without the bench package and its peers), or with `--builtin`, a small built-in benchmark of
 * Axon alone (builtin_bench.ts).
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { Command } from 'commander';
import { type BackendName, useBackend } from '../backend';
import { runBuiltinBench } from '../builtin_bench';
import { CliError, UsageError } from '../errors';
import type { Io } from '../io';
import { backendOption } from '../options';

interface BenchOptions {
  quick?: boolean;
  json?: boolean;
  peers?: boolean;
  walls?: boolean;
  builtin?: boolean;
  backend: BackendName;
}

export function addBenchCommand(program: Command, io: Io): void {
  program
    .command('bench')
    .description("run the repository's benchmarks (pnpm bench), or a small built-in one outside a checkout")
    .option('--quick', 'fewer repetitions (a smoke run)')
    .option('--json', 'also print the results as JSON')
    .option('--peers', "the repository bench's comparison with tfjs, jax-js and PyTorch")
    .option('--walls', "the repository bench's wall times of the examples")
    .option('--builtin', 'run the built-in benchmark even inside a checkout')
    .addOption(backendOption())
    .addHelpText('after', '\nExamples:\n  axon bench --quick\n  axon bench --builtin --json')
    .action(async (o: BenchOptions) => {
      const root = o.builtin ? undefined : findCheckout(process.cwd());
      if (root) return runRepoBench(root, o, io);
      if (o.peers || o.walls) {
        throw new UsageError(
          `--peers and --walls need the repository's bench: run axon bench inside an Axon checkout (without --builtin)`,
        );
      }
      await useBackend(o.backend);
      await runBuiltinBench({ quick: o.quick === true, json: o.json === true, backend: o.backend }, io);
    });
}

/** The nearest folder at or above `start` with the repository bench and its tsx. */
function findCheckout(start: string): string | undefined {
  for (let dir = start; ; dir = dirname(dir)) {
    if (existsSync(join(dir, 'bench', 'src', 'main.ts')) && existsSync(join(dir, 'pnpm-workspace.yaml'))) {
      return dir;
    }
    if (dirname(dir) === dir) return undefined;
  }
}

/** Runs `tsx --conditions=source bench/src/main.ts <flags>` in the checkout, its output passed through. */
async function runRepoBench(root: string, o: BenchOptions, io: Io): Promise<void> {
  const tsx = join(root, 'node_modules', '.bin', 'tsx');
  if (!existsSync(tsx)) {
    throw new CliError(
      `found the repository bench in ${root} but not ${tsx}: run pnpm install there, or use --builtin`,
    );
  }
  const flags = (['quick', 'json', 'peers', 'walls'] as const).filter((k) => o[k]).map((k) => `--${k}`);
  const args = ['--conditions=source', join('bench', 'src', 'main.ts'), ...flags, '--backend', o.backend];
  const child = spawn(tsx, args, { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
  child.stdout.on('data', (chunk: Buffer) => io.out.write(chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => io.err.write(chunk.toString()));
  const code = await new Promise<number>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (status) => resolve(status ?? 1));
  });
  if (code !== 0) throw new CliError(`the repository bench exited with status ${code}`, { exitCode: code });
}
