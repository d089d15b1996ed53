/**
 * Runs one example by folder name: `pnpm example <name> [--epochs N] [--backend cpu|gpu]
 * [--seed N] [--json] [--smoke]`. The flags go to the example (see common.ts); with no name or an
 * unknown one it lists the examples.
 */
import { existsSync, readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const names = readdirSync(here, { withFileTypes: true })
  .filter((d) => d.isDirectory() && existsSync(join(here, d.name, 'main.ts')))
  .map((d) => d.name)
  .sort();

const [name, ...rest] = process.argv.slice(2);
const usage = `usage: pnpm example <name> [--epochs N] [--backend cpu|gpu] [--seed N] [--json] [--smoke]\nexamples: ${names.join(', ')}`;
if (name === undefined || name === '--help' || name === '-h') {
  console.log(usage);
  process.exit(name === undefined ? 2 : 0);
}
if (!names.includes(name)) {
  console.error(`example: no example named '${name}' (in ${here})\n${usage}`);
  process.exit(2);
}

// The example reads its flags from process.argv as if it had been started directly.
const main = join(here, name, 'main.ts');
process.argv = [process.argv[0], main, ...rest];
await import(pathToFileURL(main).href);
