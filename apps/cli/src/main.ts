/**
 * The `axon` program: the commands (one file each under commands/) on commander, and the one place
 * where what happened becomes an exit code and a message. `main(argv, io)` runs in-process and
 * returns the code instead of exiting, so tests (and other programs) can call it; bin.ts is the
 * executable around it.
 *
 * Exit codes: 0 ok (and --help, --version); 1 the command failed (a missing or corrupt file, a
 * model that cannot sample, weights that do not fit the model, an error while training); 2 a usage
 * error (an unknown command, model, option or data set, a bad option value, a missing argument),
 * each reported as `axon: ...` or commander's `error: ...` on stderr, followed by a pointer to --help.
 */
import { createRequire } from 'node:module';
import { Command, CommanderError } from 'commander';
import { addBenchCommand } from './commands/bench';
import { addEvalCommand } from './commands/eval';
import { addExportCommand } from './commands/export';
import { addImportCommand } from './commands/import';
import { addInfoCommand } from './commands/info';
import { addSampleCommand } from './commands/sample';
import { addTrainCommand } from './commands/train';
import { CliError, EXIT } from './errors';
import { type Io, println, processIo } from './io';

/** The package's version (package.json sits one folder above src/ and dist/ alike). */
function version(): string {
  return (createRequire(import.meta.url)('../package.json') as { version: string }).version;
}

function program(io: Io): Command {
  const axon = new Command('axon')
    .description(
      'Train, evaluate, sample and inspect Axon zoo models; export them to ONNX and PyTorch and import ' +
        'PyTorch weights; run the benchmarks.',
    )
    .version(version(), '-V, --version')
    .exitOverride()
    .configureOutput({
      writeOut: (text) => io.out.write(text),
      writeErr: (text) => io.err.write(text),
    })
    .showHelpAfterError('(run with --help for usage)')
    .addHelpText('after', '\nRun axon <command> --help for the options of each command.');
  // Subcommands made with .command() inherit the settings above (output, exitOverride, help).
  addTrainCommand(axon, io);
  addEvalCommand(axon, io);
  addSampleCommand(axon, io);
  addInfoCommand(axon, io);
  addExportCommand(axon, io);
  addImportCommand(axon, io);
  addBenchCommand(axon, io);
  return axon;
}

/** Help and version requests end with code 0; every other commander error is a usage error. */
const COMMANDER_OK = new Set(['commander.helpDisplayed', 'commander.version']);

/** Runs the command line `argv` (without node and the script). Returns the exit code. */
export async function main(argv: readonly string[], io: Io = processIo()): Promise<number> {
  try {
    await program(io).parseAsync([...argv], { from: 'user' });
    return EXIT.ok;
  } catch (e) {
    if (e instanceof CommanderError) return COMMANDER_OK.has(e.code) ? EXIT.ok : EXIT.usage;
    if (e instanceof CliError) {
      println(io.err, `axon: ${e.message}`);
      return e.exitCode;
    }
    // A library's error (a corrupt model file, a bad value): its message names what and where.
    println(io.err, `axon: ${e instanceof Error ? e.message : String(e)}`);
    if (process.env.AXON_DEBUG && e instanceof Error && e.stack) println(io.err, e.stack);
    return EXIT.failure;
  }
}
