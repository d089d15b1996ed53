/**
 * Axon benchmarks against TensorFlow.js (CPU and WebAssembly backends), run in one process with
 * the implementations interleaved. Usage:
 *
 *   pnpm bench [--quick] [--json] [--backend cpu|gpu]
 *
 * --quick         fewer repetitions (a smoke run)
 * --json          also print one JSON object with every sample after the table
 * --backend gpu   instead: Axon's gpu backend (@axon/backend-gpu, in the mode gpu.js runs here)
 *                 against Axon's cpu backend (src/gpu/run.ts); cpu (the default): the tfjs bench
 */
import os from 'node:os';
import { getCpuKernels, setCpuKernels } from '@axon/tensor';
import type { BenchCase } from './cases/case';
import { conv2dCase } from './cases/conv2d';
import { matmulCase } from './cases/matmul';
import { mlpStepCase } from './cases/mlp';
import { runGpuBench } from './gpu/run';
import { initPeers, LIBS, type LibName } from './peers';
import { type CaseResult, formatTable, type LibResult } from './report';
import { median, type Runner, relativeDiff, roundRobin } from './timing';

const argv = process.argv.slice(2);
let backend = 'cpu';
const backendAt = argv.findIndex((a) => a === '--backend' || a.startsWith('--backend='));
if (backendAt >= 0) {
  const [flag, value] = argv.splice(backendAt, argv[backendAt] === '--backend' ? 2 : 1);
  backend = flag === '--backend' ? (value ?? '') : flag.slice('--backend='.length);
  if (backend !== 'cpu' && backend !== 'gpu') {
    console.error(`bench: --backend must be cpu or gpu, got '${backend}'`);
    process.exit(2);
  }
}
const args = new Set(argv);
for (const a of args) {
  if (a !== '--quick' && a !== '--json') {
    console.error(`bench: unknown argument '${a}' (expected --quick, --json and/or --backend cpu|gpu)`);
    process.exit(2);
  }
}
const quick = args.has('--quick');
const json = args.has('--json');

// Repetitions sized so that a full run stays well under three minutes on two cores (tfjs-cpu's
// 1024² product alone takes seconds per run).
const cases: BenchCase[] = quick
  ? [
      matmulCase(256, 8, 1),
      matmulCase(512, 4, 1),
      matmulCase(1024, 2, 1),
      conv2dCase(5, 1),
      conv2dCase(5, 1, false),
      mlpStepCase(10, 3),
    ]
  : [
      matmulCase(256, 40, 3),
      matmulCase(512, 15, 2),
      matmulCase(1024, 7, 1),
      conv2dCase(25, 3),
      conv2dCase(40, 3, false),
      mlpStepCase(60, 10),
    ];

async function runCase(
  c: BenchCase,
  libs: readonly LibName[],
  unavailable: Record<string, string>,
): Promise<CaseResult> {
  const out: CaseResult = { name: c.name, flops: c.flops, reps: c.reps, results: {}, skipped: {} };
  const runners = new Map<string, Runner>();
  const measured = c.libs ?? LIBS.filter((lib) => lib !== 'axon-js');
  for (const lib of LIBS) {
    if (!measured.includes(lib)) continue;
    if (!libs.includes(lib)) {
      out.skipped[lib] = unavailable[lib] ?? 'unavailable';
      continue;
    }
    try {
      const runner = await c.build(lib);
      // One untimed probe run, so that a library that cannot do this case is skipped up front.
      try {
        await runner.activate();
        runner.run();
      } catch (err) {
        runner.dispose();
        throw err;
      }
      runners.set(lib, runner);
    } catch (err) {
      out.skipped[lib] = err instanceof Error ? err.message : String(err);
    }
  }
  // Without Axon there is nothing to compare with.
  if (!runners.has('axon')) {
    for (const r of runners.values()) r.dispose();
    for (const lib of runners.keys()) out.skipped[lib as LibName] = `skipped with Axon (${out.skipped.axon})`;
    out.skipped.axon = `skipped: ${out.skipped.axon}`;
    return out;
  }
  const times = await roundRobin(runners, c.reps, c.warmup);
  const reference = await (runners.get('axon') as Runner).result();
  const axonMs = median(times.get('axon') as number[]);
  for (const [lib, runner] of runners) {
    const samples = times.get(lib) as number[];
    const medianMs = median(samples);
    const r: LibResult = { medianMs, samplesMs: samples.map((t) => Number(t.toFixed(3))) };
    if (c.flops !== undefined) r.gflops = c.flops / (medianMs * 1e6);
    if (lib !== 'axon') {
      r.axonSpeedup = medianMs / axonMs;
      r.relDiffVsAxon = relativeDiff(await runner.result(), reference);
    }
    out.results[lib as LibName] = r;
    runner.dispose();
  }
  setCpuKernels('auto'); // an axon-js runner may have been the last to run
  return out;
}

async function main(): Promise<void> {
  const started = performance.now();
  const peers = await initPeers();
  const cpu = os.cpus()[0]?.model ?? 'unknown CPU';
  console.log(`Axon bench — node ${process.version}, ${cpu} (${os.cpus().length} cores), single-threaded`);
  const wasm = peers.wasm
    ? ` (wasm: simd ${peers.wasm.simd ? 'on' : 'off'}, threads ${peers.wasm.threads ? 'on' : 'off'})`
    : '';
  console.log(
    `peers: tfjs ${peers.tfjsVersion} ${peers.available.filter((l) => l !== 'axon').join(', ')}${wasm}`,
  );
  const kernels = getCpuKernels();
  console.log(
    `axon: cpu backend, float32 matmul on ${kernels.wasm ? 'WebAssembly SIMD' : `JS (${kernels.reason ?? kernels.mode})`}; axon-js: the same forced onto its JS kernels`,
  );
  console.log(
    `${quick ? 'quick run' : 'full run'}: implementations interleaved round-robin after warm-up; median of the timed runs\n`,
  );

  const results: CaseResult[] = [];
  for (const c of cases) {
    process.stderr.write(`running ${c.name} ...\n`);
    results.push(await runCase(c, peers.available, peers.unavailable));
  }
  console.log(formatTable(results));
  console.log('\nAxon speed-up = peer median time / Axon median time (> 1: Axon is faster).');
  console.log("On the axon-js rows it is the WebAssembly kernels' speed-up over Axon's JS ones.");
  console.log(
    'GFLOP/s of conv2d fwd+bwd counts the forward product and the two backward ones (3× the forward).',
  );
  const seconds = (performance.now() - started) / 1000;
  console.log(`total ${seconds.toFixed(1)} s`);
  if (json) {
    const record = {
      node: process.version,
      cpu,
      cores: os.cpus().length,
      quick,
      peers,
      cases: results,
      totalSeconds: Number(seconds.toFixed(1)),
    };
    console.log(JSON.stringify(record));
  }
}

(backend === 'gpu' ? runGpuBench({ quick, json }) : main()).catch((err) => {
  console.error(err);
  process.exit(1);
});
