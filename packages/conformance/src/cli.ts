import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { backendInfo, setBackend } from '@axon/tensor';
import type { Tolerance } from './fixture';
import { type CaseResult, formatSkippedOps, formatSummary, runConformance } from './runner';

const USAGE = `usage: pnpm conformance [DIR] [--backend NAME] [--filter SUBSTR] [--verbose]

Runs every case of every *.json fixture in DIR (default: packages/conformance/fixtures) against
Axon and compares outputs and gradients with the PyTorch goldens. Exits 1 if any case fails.

  --backend NAME   run on backend NAME (imports @axon/backend-NAME unless NAME is cpu)
  --filter SUBSTR  only cases whose id (group/name) contains SUBSTR
  --verbose        also list passing and skipped cases (with the reason for each skip)`;

/** The committed fixtures, found from this file so that the command works from any cwd. */
const DEFAULT_DIR = fileURLToPath(new URL('../fixtures', import.meta.url));

async function main(argv: string[]): Promise<number> {
  let args: ReturnType<typeof parse>;
  try {
    args = parse(argv);
  } catch (e) {
    console.error(`conformance: ${(e as Error).message}\n\n${USAGE}`);
    return 1;
  }
  if (args.values.help) {
    console.log(USAGE);
    return 0;
  }
  if (args.positionals.length > 1) {
    console.error(
      `conformance: expected at most one fixture folder, got ${args.positionals.join(' ')}\n\n${USAGE}`,
    );
    return 1;
  }
  // pnpm runs scripts from the workspace root; INIT_CWD is where the user typed the command.
  const dir = args.positionals[0]
    ? resolve(process.env.INIT_CWD ?? process.cwd(), args.positionals[0])
    : DEFAULT_DIR;
  if (!existsSync(dir)) {
    console.error(`conformance: fixture folder ${dir} does not exist`);
    return 1;
  }
  const backend = args.values.backend ?? 'cpu';
  let toleranceScale: Tolerance | undefined;
  try {
    const module = await useBackend(backend);
    toleranceScale = module && toleranceScaleOf(module);
  } catch (e) {
    console.error(`conformance: ${(e as Error).message}`);
    return 1;
  }

  const verbose = args.values.verbose === true;
  console.log(`Axon conformance: ${dir} (backend ${backend})`);
  if (toleranceScale) console.log(describeBackend(toleranceScale));
  const summary = runConformance({
    dir,
    filter: args.values.filter,
    onCase: (r) => report(r, verbose),
    toleranceScale,
  });
  console.log('');
  console.log(formatSkippedOps(summary));
  console.log(formatSummary(summary));
  return summary.failed > 0 ? 1 : 0;
}

function parse(argv: string[]) {
  return parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      backend: { type: 'string' },
      filter: { type: 'string' },
      verbose: { type: 'boolean', short: 'v' },
      help: { type: 'boolean', short: 'h' },
    },
  });
}

function report(r: CaseResult, verbose: boolean): void {
  const tag = r.edge ? ' (edge)' : '';
  if (r.status === 'fail') {
    console.log(`FAIL ${r.id}${tag}`);
    for (const p of r.problems) console.log(`     ${p}`);
  } else if (verbose && r.status === 'pass') {
    // How close the case came to failing: its worst element's share of its tolerance.
    console.log(`pass ${r.id}${tag}  (worst error ${((r.worstRatio ?? 0) * 100).toFixed(1)}% of tolerance)`);
  } else if (verbose) {
    console.log(`skip ${r.id}${tag}: ${r.skipReason}`);
  }
}

/**
 * Selects the backend. A backend other than cpu lives in its own package, @axon/backend-NAME, which
 * registers itself on import; it is looked up as a dependency first, then as a workspace folder
 * (packages/backend-NAME), since this package cannot depend on a package that may not exist yet.
 */
async function useBackend(name: string): Promise<Record<string, unknown> | undefined> {
  let module: Record<string, unknown> | undefined;
  if (name !== 'cpu') {
    if (!/^[a-z0-9-]+$/.test(name)) throw new Error(`invalid backend name '${name}'`);
    const pkg = `@axon/backend-${name}`;
    try {
      module = await import(pkg);
    } catch (first) {
      const localUrl = new URL(`../../backend-${name}/src/index.ts`, import.meta.url);
      const local = fileURLToPath(localUrl);
      if (!existsSync(local)) {
        throw new Error(
          `cannot load backend '${name}': importing ${pkg} failed (${(first as Error).message.split('\n')[0]}) and there is no ${local}`,
        );
      }
      module = await import(localUrl.href);
    }
  }
  setBackend(name);
  return module;
}

/**
 * A backend package may export `TOLERANCE_SCALE`: factors on each case's {rtol, atol} per mode of
 * the backend (the GPU's table, keyed by `backendInfo().mode`). Without one, the fixtures' own
 * tolerances; a table without an entry for the mode that runs is an error.
 */
function toleranceScaleOf(module: Record<string, unknown>): Tolerance | undefined {
  const table = module.TOLERANCE_SCALE as Record<string, Tolerance> | undefined;
  const mode = backendInfo().mode;
  if (!table || typeof mode !== 'string') return undefined;
  const scale = table[mode];
  if (!scale) throw new Error(`TOLERANCE_SCALE has no entry for mode '${mode}'`);
  return scale;
}

/** e.g. `mode webasm, renderer -, tolerance scale rtol ×1, atol ×1`. */
function describeBackend(scale: Tolerance): string {
  const info = backendInfo();
  const renderer = typeof info.renderer === 'string' ? info.renderer : '-';
  return `mode ${String(info.mode)}, renderer ${renderer}, tolerance scale rtol ×${scale.rtol}, atol ×${scale.atol}`;
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (e) => {
    console.error(e);
    process.exitCode = 1;
  },
);
