/**
 * Axon benchmarks against TensorFlow.js (CPU and WebAssembly backends), run in one process with
 * the implementations interleaved. Usage:
 *
 *   pnpm bench [--quick] [--json] [--peers] [--walls] [--backend cpu|gpu] [--turn-ms N]
 *
 * --quick         fewer repetitions (a smoke run)
 * --json          also print one JSON object with every sample after the table
 * --peers         the workloads of issue 11's table (matmul; MLP, CNN and LSTM training steps)
 *                 against tfjs-cpu, tfjs-wasm, jax-js and PyTorch on one thread (where installed)
 * --walls         also the wall time of `pnpm start` and of one `mnist-cnn` epoch (child
 *                 processes, ~4 minutes; with --quick their --smoke runs)
 * --backend gpu   instead: Axon's gpu backend (@axon/backend-gpu, in the mode gpu.js runs here)
 *                 against Axon's cpu backend (src/gpu/run.ts); cpu (the default): the tfjs bench
 * --turn-ms N     each implementation's turn in a round (cpu cases; default 100 ms, 30 with
 *                 --quick; 0: one timed run a turn, as before stop 31; see timing.ts)
 */
import os from 'node:os';
import { getCpuKernels, getNumThreads, setCpuKernels, setNumThreads } from '@axon/tensor';
import { median, relativeDiff } from '@axon/testing';
import type { BenchCase } from './cases/case';
import { conv2dCase, DCGAN_DEPTH2_LAYER } from './cases/conv2d';
import { matmulCase } from './cases/matmul';
import { mlpStepCase } from './cases/mlp';
import { trainCnnCase } from './cases/train_cnn';
import { trainLstmCase } from './cases/train_lstm';
import { trainMlpCase } from './cases/train_mlp';
import { runGpuBench } from './gpu/run';
import { formatOverhead, measureOverhead } from './overhead';
import { closePeers, DEFAULT_LIBS, initPeers, LIBS, type LibName, PEER_LIBS, type PeerInfo } from './peers';
import {
  type CaseResult,
  formatPeersTable,
  formatTable,
  formatTargets,
  type LibResult,
  type Target,
} from './report';
import { type Runner, roundRobin } from './timing';
import { formatWalls, runWalls, type WallResult } from './walls';

const argv = process.argv.slice(2);
/** Removes `--name value` (or `--name=value`) from argv and returns the value, if given. */
function takeValue(name: string): string | undefined {
  const at = argv.findIndex((a) => a === name || a.startsWith(`${name}=`));
  if (at < 0) return undefined;
  const [flag, value] = argv.splice(at, argv[at] === name ? 2 : 1);
  return flag === name ? (value ?? '') : flag.slice(name.length + 1);
}
const backend = takeValue('--backend') ?? 'cpu';
if (backend !== 'cpu' && backend !== 'gpu') {
  console.error(`bench: --backend must be cpu or gpu, got '${backend}'`);
  process.exit(2);
}
const turnArg = takeValue('--turn-ms');
if (turnArg !== undefined && !(turnArg !== '' && Number(turnArg) >= 0)) {
  console.error(`bench: --turn-ms must be a number of milliseconds >= 0, got '${turnArg}'`);
  process.exit(2);
}
const args = new Set(argv);
const FLAGS = ['--quick', '--json', '--peers', '--walls'];
for (const a of args) {
  if (!FLAGS.includes(a)) {
    console.error(
      `bench: unknown argument '${a}' (expected ${FLAGS.join(', ')}, --backend cpu|gpu, --turn-ms N)`,
    );
    process.exit(2);
  }
}
const quick = args.has('--quick');
const json = args.has('--json');
const peersMode = args.has('--peers');
const walls = args.has('--walls');
if (backend === 'gpu' && (peersMode || walls)) {
  console.error('bench: --peers and --walls run on the cpu backend; leave out --backend gpu');
  process.exit(2);
}

// Repetitions sized so that a full run stays well under three minutes on two cores (tfjs-cpu's
// 1024² product alone takes seconds per run).
const defaultCases = (): BenchCase[] =>
  quick
    ? [
        matmulCase(256, 8, 1),
        matmulCase(512, 4, 1),
        matmulCase(1024, 2, 1),
        conv2dCase(5, 1),
        conv2dCase(5, 1, false),
        conv2dCase(5, 1, true, DCGAN_DEPTH2_LAYER),
        mlpStepCase(10, 3),
      ]
    : [
        matmulCase(256, 40, 3),
        matmulCase(512, 15, 2),
        matmulCase(1024, 7, 1),
        conv2dCase(25, 3),
        conv2dCase(40, 3, false),
        conv2dCase(25, 3, true, DCGAN_DEPTH2_LAYER),
        mlpStepCase(60, 10),
      ];

/** Each implementation's solo warm-up before the shared rounds (see roundRobin). */
const WARMUP_MS = quick ? 300 : 1500;
/** How long each implementation's turn in a round lasts (see roundRobin); 0: one run a turn. */
const TURN_MS = turnArg !== undefined ? Number(turnArg) : quick ? 30 : 100;

/**
 * The --peers cases: issue 11's four workloads. Repetitions are sized so that `--peers --quick`
 * takes about two minutes and the full run about three on the shared two cores: tfjs-cpu sets the
 * pace (its 1024² product takes ~3 s, its LSTM step ~2 s, its CNN step ~6 s), and each library
 * runs as many steps as the others in the timed rounds. A training case's batch count covers the
 * probe step, the warm-up rounds and the timed ones; the solo warm-up before them cycles through
 * the same batches.
 */
const peerCases = (): BenchCase[] => {
  const train = (reps: number, warmup: number) => [reps, warmup, PEER_LIBS, reps + warmup + 1] as const;
  return quick
    ? [
        matmulCase(256, 6, 1, PEER_LIBS),
        matmulCase(512, 3, 1, PEER_LIBS),
        matmulCase(1024, 2, 1, PEER_LIBS),
        trainMlpCase(...train(8, 2)),
        trainCnnCase(...train(4, 1)),
        trainLstmCase(...train(3, 1)),
      ]
    : [
        matmulCase(256, 30, 3, PEER_LIBS),
        matmulCase(512, 12, 2, PEER_LIBS),
        matmulCase(1024, 7, 1, PEER_LIBS),
        trainMlpCase(...train(40, 5)),
        trainCnnCase(...train(8, 2)),
        trainLstmCase(...train(8, 2)),
      ];
};

/** The ratios issue 11 asks for, Axon against the peer it names (or the best one). */
const TARGETS: Target[] = [
  { caseName: 'matmul 1024', label: 'matmul 1024 f32', versus: 'tfjs-wasm' },
  { caseName: 'MNIST MLP', label: 'MNIST MLP train', versus: 'jax-js' },
  { caseName: 'MNIST CNN', label: 'small CNN train' },
  { caseName: 'char LSTM', label: 'LSTM train', versus: 'tfjs-wasm' },
];

async function runCase(
  c: BenchCase,
  libs: readonly LibName[],
  unavailable: Record<string, string>,
): Promise<CaseResult> {
  const out: CaseResult = {
    name: c.name,
    flops: c.flops,
    unit: c.unit?.label,
    reps: c.reps,
    results: {},
    skipped: {},
  };
  const runners = new Map<string, Runner>();
  const measured = c.libs ?? (peersMode ? PEER_LIBS : DEFAULT_LIBS).filter((lib) => lib !== 'axon-js');
  for (const lib of LIBS) {
    if (!measured.includes(lib)) continue;
    if (lib === 'axon-1t' && axonThreads === 1) continue; // the same as axon
    if (!libs.includes(lib)) {
      out.skipped[lib] = unavailable[lib] ?? 'unavailable';
      continue;
    }
    try {
      const runner = withThreads(lib, await c.build(lib === 'axon-1t' ? 'axon' : lib));
      // One untimed probe run, so that a library that cannot do this case is skipped up front.
      try {
        await runner.activate();
        await runner.run();
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
  const times = await roundRobin(runners, c.reps, c.warmup, WARMUP_MS, TURN_MS);
  const reference = await (runners.get('axon') as Runner).result();
  const axonMs = median(times.get('axon') as number[]);
  for (const [lib, runner] of runners) {
    const samples = times.get(lib) as number[];
    const medianMs = median(samples);
    const r: LibResult = { medianMs, samplesMs: samples.map((t) => Number(t.toFixed(3))) };
    if (c.flops !== undefined) r.gflops = c.flops / (medianMs * 1e6);
    if (c.unit) {
      // The results are the first steps' losses: compare the first, then all of them.
      const losses = await runner.result();
      r.throughput = (c.unit.perRun * 1000) / medianMs;
      r.firstLoss = losses[0];
      if (lib !== 'axon') {
        r.relDiffVsAxon = relativeDiff(losses.subarray(0, 1), reference.subarray(0, 1));
        r.relDiffSteps = relativeDiff(losses, reference);
      }
    } else if (lib !== 'axon') {
      r.relDiffVsAxon = relativeDiff(await runner.result(), reference);
    }
    if (lib !== 'axon') r.axonSpeedup = medianMs / axonMs;
    out.results[lib as LibName] = r;
    runner.dispose();
  }
  setCpuKernels('auto'); // an axon-js runner may have been the last to run
  setNumThreads(axonThreads); // and an axon-1t one
  return out;
}

/** Axon's default GEMM thread count (the cpu backend's worker pool), or AXON_NUM_THREADS. */
const axonThreads = getNumThreads().threads;

/**
 * `axon` runs with Axon's default threads, `axon-1t` (the same runner) held to one thread, as
 * every peer runs here: each switches the thread count when it becomes the active runner.
 */
function withThreads(lib: LibName, runner: Runner): Runner {
  if (lib !== 'axon' && lib !== 'axon-1t') return runner;
  const threads = lib === 'axon' ? axonThreads : 1;
  return {
    ...runner,
    activate: async () => {
      setNumThreads(threads);
      await runner.activate();
    },
    result: async () => {
      setNumThreads(threads);
      return runner.result();
    },
  };
}

function setUpAxonThreads(): string {
  const how = process.env.AXON_NUM_THREADS !== undefined ? ' (AXON_NUM_THREADS)' : '';
  const oneThread =
    axonThreads === 1
      ? ' (AXON_NUM_THREADS=2 adds an axon-1t row to compare)'
      : '; axon-1t: the same held to 1 thread';
  return `Axon GEMM threads: ${axonThreads}${how}${peersMode ? oneThread : ''}`;
}

function describePeers(peers: PeerInfo, threads: string): void {
  const cpu = os.cpus()[0]?.model ?? 'unknown CPU';
  console.log(`Axon bench — node ${process.version}, ${cpu} (${os.cpus().length} cores); ${threads}`);
  const wasm = peers.wasm
    ? ` (wasm: simd ${peers.wasm.simd ? 'on' : 'off'}, threads ${peers.wasm.threads ? 'on' : 'off'})`
    : '';
  const tfLibs = peers.available.filter((l) => l.startsWith('tfjs'));
  console.log(`peers: tfjs ${peers.tfjsVersion} ${tfLibs.join(', ')}${wasm}`);
  if (peersMode) {
    console.log(
      peers.jax
        ? `       jax-js ${peers.jax.version} on its ${peers.jax.device} device (worker threads ${peers.jax.threads ? 'on' : 'off: Node has no global Worker'}), training steps under jit`
        : `       jax-js: unavailable (${peers.unavailable['jax-js']})`,
    );
    console.log(
      peers.torch
        ? `       PyTorch ${peers.torch.version} (CPU, ${peers.torch.threads} thread; ${peers.torch.blas}), in a Python child process timing its own steps`
        : `       PyTorch: ${peers.unavailable.torch}`,
    );
  }
  const kernels = getCpuKernels();
  console.log(
    `axon: cpu backend, float32 matmul on ${kernels.wasm ? 'WebAssembly SIMD' : `JS (${kernels.reason ?? kernels.mode})`}${peersMode ? '' : '; axon-js: the same forced onto its JS kernels'}`,
  );
  console.log(
    `${quick ? 'quick run' : 'full run'}: each implementation warmed up alone for ${WARMUP_MS} ms, then interleaved round-robin ${TURN_MS > 0 ? `in turns of ${TURN_MS} ms (each turn's first run untimed)` : 'one run a turn'}, warm-up rounds, then timed ones; median of the timed runs\n`,
  );
}

async function main(): Promise<void> {
  const started = performance.now();
  // `--walls` alone runs the two programs only.
  const runCases = peersMode || !walls;
  const results: CaseResult[] = [];
  let peers: PeerInfo | null = null;
  if (runCases) {
    peers = await initPeers({ extra: peersMode });
    describePeers(peers, setUpAxonThreads());
    try {
      for (const c of peersMode ? peerCases() : defaultCases()) {
        process.stderr.write(`running ${c.name} ...\n`);
        results.push(await runCase(c, peers.available, peers.unavailable));
      }
    } finally {
      closePeers();
    }
  }
  if (peersMode) {
    console.log(formatPeersTable(results));
    console.log(
      '\nAxon speed-up = peer median time / Axon median time (> 1: Axon is faster). Training: one run is one step',
    );
    console.log(
      '(forward, cross-entropy, backward, Adam, loss read back) on the same batches from the same initial weights;',
    );
    console.log(
      "rel. diff = |peer − Axon| / |Axon| of the first step's loss (matmul: of the product); 3 steps: over the",
    );
    console.log('first three losses (two Adam updates in between); loss 1 = the first loss.\n');
    console.log(formatTargets(results, TARGETS));
    console.log(
      '\nAxon ÷ X = X median time / Axon median time (> 1: Axon is faster); best JS peer: of tfjs-cpu,',
    );
    console.log('tfjs-wasm and jax-js; PyTorch on one thread times its steps inside Python.');
  } else if (results.length > 0) {
    console.log(formatTable(results));
    console.log('\nAxon speed-up = peer median time / Axon median time (> 1: Axon is faster).');
    console.log("On the axon-js rows it is the WebAssembly kernels' speed-up over Axon's JS ones.");
    console.log(
      'GFLOP/s of conv2d fwd+bwd counts the forward product and the two backward ones (3× the forward).',
    );
    console.log(`\n${formatOverhead(measureOverhead())}`);
  }
  let wallResults: WallResult[] = [];
  if (walls) {
    wallResults = await runWalls(quick);
    console.log(
      `${runCases ? '\n' : ''}Wall times${quick ? ' (--smoke runs: plumbing, not speed)' : ''}, node ${process.version}, ${os.cpus().length} cores:`,
    );
    console.log(formatWalls(wallResults));
  }
  const seconds = (performance.now() - started) / 1000;
  console.log(`total ${seconds.toFixed(1)} s`);
  if (json) {
    const record = {
      node: process.version,
      cpu: os.cpus()[0]?.model ?? 'unknown CPU',
      cores: os.cpus().length,
      quick,
      mode: peersMode ? 'peers' : 'default',
      peers,
      cases: results,
      walls: wallResults,
      totalSeconds: Number(seconds.toFixed(1)),
    };
    console.log(JSON.stringify(record));
  }
}

(backend === 'gpu' ? runGpuBench({ quick, json }) : main()).catch((err) => {
  closePeers();
  console.error(err);
  process.exit(1);
});
