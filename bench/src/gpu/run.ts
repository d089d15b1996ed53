/**
 * `pnpm bench --backend gpu`: Axon's gpu backend (in whatever mode gpu.js runs here: headlessgl
 * under xvfb-run with headless-gl built, webasm otherwise; AXON_GPU_MODE forces one) against
 * Axon's cpu backend, interleaved round-robin in one process, medians of the timed runs.
 */
import os from 'node:os';
import { setBackend } from '@axon/tensor';
import { median, relativeDiff } from '@axon/testing';
import { type CaseResult, formatTable, type LibResult } from '../report';
import { type Runner, roundRobin } from '../timing';
import { conv2dCase, type GpuBenchCase, matmulCase, mlpStepCase, type Target } from './cases';
import { fitReadbacks, formatFitReadbacks } from './fit_readbacks';
import { loadGpuBackend } from './load';

/** Row names in the table: the cpu backend is the base ('axon', as in the peer bench). */
const ROW: Record<Target, string> = { cpu: 'axon', gpu: 'axon-gpu' };

function cases(quick: boolean): GpuBenchCase[] {
  return quick
    ? [
        matmulCase(256, 5, 1),
        matmulCase(512, 3, 1),
        matmulCase(1024, 2, 1),
        conv2dCase(3, 1),
        mlpStepCase(5, 1),
      ]
    : [
        matmulCase(256, 40, 3),
        matmulCase(512, 15, 2),
        matmulCase(1024, 7, 1),
        conv2dCase(25, 3),
        mlpStepCase(50, 5),
      ];
}

async function runCase(c: GpuBenchCase, finish: () => void): Promise<CaseResult> {
  const out: CaseResult = { name: c.name, flops: c.flops, reps: c.reps, results: {}, skipped: {} };
  const runners = new Map<string, Runner>();
  for (const target of ['cpu', 'gpu'] as const) {
    try {
      const runner = c.build(target, target === 'gpu' ? finish : () => {});
      // One untimed run (compiles the gpu kernels), so that a missing kernel is reported up front.
      try {
        await runner.activate();
        runner.run();
      } catch (err) {
        runner.dispose();
        throw err;
      }
      runners.set(ROW[target], runner);
    } catch (err) {
      (out.skipped as Record<string, string>)[ROW[target]] = err instanceof Error ? err.message : String(err);
    }
  }
  if (runners.size < 2) {
    for (const r of runners.values()) r.dispose();
    return out;
  }
  const times = await roundRobin(runners, c.reps, c.warmup);
  const reference = await (runners.get(ROW.cpu) as Runner).result();
  const cpuMs = median(times.get(ROW.cpu) as number[]);
  for (const [row, runner] of runners) {
    const samples = times.get(row) as number[];
    const medianMs = median(samples);
    const r: LibResult = { medianMs, samplesMs: samples.map((t) => Number(t.toFixed(3))) };
    if (c.flops !== undefined) r.gflops = c.flops / (medianMs * 1e6);
    if (row !== ROW.cpu) {
      r.axonSpeedup = medianMs / cpuMs;
      r.relDiffVsAxon = relativeDiff(await runner.result(), reference);
    }
    (out.results as Record<string, LibResult>)[row] = r;
    runner.dispose();
  }
  setBackend('cpu');
  return out;
}

export async function runGpuBench(options: { quick: boolean; json: boolean }): Promise<void> {
  const started = performance.now();
  const gpu = await loadGpuBackend();
  const { mode, renderer, maxTextureSize, fallbackReason } = gpu.info;
  const cpu = os.cpus()[0]?.model ?? 'unknown CPU';
  console.log(`Axon bench, gpu backend — node ${process.version}, ${cpu} (${os.cpus().length} cores)`);
  console.log(
    `gpu backend: mode ${String(mode)}, renderer ${renderer ?? '-'}` +
      (maxTextureSize ? `, max texture ${String(maxTextureSize)}` : '') +
      (fallbackReason ? `\n  (${String(fallbackReason)})` : ''),
  );
  console.log(
    `${options.quick ? 'quick run' : 'full run'}: axon = the cpu backend (base), axon-gpu = the gpu backend; ` +
      'interleaved round-robin after warm-up; median of the timed runs; results read back inside the timed region\n',
  );
  const results: CaseResult[] = [];
  for (const c of cases(options.quick)) {
    process.stderr.write(`running ${c.name} ...\n`);
    results.push(await runCase(c, gpu.finish));
  }
  console.log(formatTable(results));
  console.log('\nAxon speed-up = gpu median time / cpu median time (> 1: the cpu backend is faster).');
  console.log('rel. diff = max |gpu − cpu| / max |cpu| over the results (and updated parameters).');
  const readbacks = await fitReadbacks();
  console.log(`\n${formatFitReadbacks(readbacks)}`);
  const seconds = (performance.now() - started) / 1000;
  console.log(`total ${seconds.toFixed(1)} s`);
  if (options.json) {
    const record = {
      node: process.version,
      cpu,
      cores: os.cpus().length,
      quick: options.quick,
      gpu: gpu.info,
      cases: results,
      fitReadbacks: readbacks,
      totalSeconds: Number(seconds.toFixed(1)),
    };
    console.log(JSON.stringify(record));
  }
}
