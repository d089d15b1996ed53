/** Turns measurements into a readable table and a JSON record. */
import type { LibName } from './peers';

export interface LibResult {
  /** Median of the timed repetitions, in milliseconds. */
  medianMs: number;
  /** Every timed repetition, in run order. */
  samplesMs: number[];
  gflops?: number;
  /** For a peer: its median time over Axon's (> 1 means Axon is faster). */
  axonSpeedup?: number;
  /** max |result − Axon's| / max |Axon's| (training cases: of the first step's loss). */
  relDiffVsAxon?: number;
  /** Training cases: units per second (samples/s or steps/s). */
  throughput?: number;
  /** Training cases: the loss of the first step. */
  firstLoss?: number;
  /** Training cases: the rel. diff over the losses of the first three steps (two Adam updates). */
  relDiffSteps?: number;
}

export interface CaseResult {
  name: string;
  flops?: number;
  /** Training cases: the throughput unit ('samples/s', 'steps/s'). */
  unit?: string;
  reps: number;
  results: Partial<Record<LibName, LibResult>>;
  /** Libraries left out of this case, with the reason. */
  skipped: Partial<Record<LibName, string>>;
}

const fmt = (x: number | undefined, digits: number) => (x === undefined ? '—' : x.toFixed(digits));
const fmtMs = (ms: number) => (ms >= 100 ? ms.toFixed(0) : ms >= 10 ? ms.toFixed(1) : ms.toFixed(2));

/** Axon's speed-up column: '(base)' on Axon's own row. */
const speedupCell = (lib: LibName, r: LibResult) =>
  lib === 'axon' ? '(base)' : r.axonSpeedup === undefined ? '—' : `${r.axonSpeedup.toFixed(2)}×`;

/**
 * The rows of one case: one per library (`cells` gives the columns after case and impl), then one
 * per skipped library; the case's name only on its first row.
 */
function caseRows(
  c: CaseResult,
  columns: number,
  cells: (lib: LibName, r: LibResult) => string[],
): string[][] {
  const rows: string[][] = [];
  const label = () => (rows.length === 0 ? c.name : '');
  for (const [lib, r] of Object.entries(c.results) as [LibName, LibResult][])
    rows.push([label(), lib, ...cells(lib, r)]);
  for (const [lib, why] of Object.entries(c.skipped)) {
    rows.push([label(), lib, `skipped: ${why}`, ...new Array<string>(columns - 3).fill('')]);
  }
  return rows;
}

export function formatTable(cases: readonly CaseResult[]): string {
  const header = ['case', 'impl', 'median ms', 'GFLOP/s', 'Axon speed-up', 'rel. diff'];
  const rows = cases.flatMap((c) =>
    caseRows(c, header.length, (lib, r) => [
      fmtMs(r.medianMs),
      fmt(r.gflops, 2),
      speedupCell(lib, r),
      r.relDiffVsAxon === undefined ? '' : r.relDiffVsAxon.toExponential(0),
    ]),
  );
  return layout(header, rows);
}

const fmtRate = (x: number) => (x >= 100 ? x.toFixed(0) : x >= 10 ? x.toFixed(1) : x.toFixed(2));

/** Lays out rows (the first two columns left-aligned); a cell starting with 'skipped' runs on. */
function layout(header: string[], rows: string[][]): string {
  const widths = header.map((h, i) =>
    Math.max(h.length, ...rows.map((r) => (r[i].startsWith('skipped') ? 0 : r[i].length))),
  );
  const line = (cells: string[]) =>
    cells
      .map((cell, i) => {
        if (cell.startsWith('skipped')) return cell;
        return i <= 1 ? cell.padEnd(widths[i]) : cell.padStart(widths[i]);
      })
      .join('  ')
      .trimEnd();
  return [line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)].join('\n');
}

/**
 * The --peers table: per case and library the median time of one run, the throughput (GFLOP/s
 * for matmul, samples/s or steps/s for training), Axon's speed-up over the peer, and the checks:
 * the rel. diff of the result (matmul) or of the first step's loss, and over the first three
 * steps' losses (after two Adam updates).
 */
export function formatPeersTable(cases: readonly CaseResult[]): string {
  const header = [
    'case',
    'impl',
    'median ms',
    'throughput',
    'Axon speed-up',
    'rel. diff',
    '3 steps',
    'loss 1',
  ];
  const rows = cases.flatMap((c) =>
    caseRows(c, header.length, (lib, r) => [
      fmtMs(r.medianMs),
      r.throughput !== undefined
        ? `${fmtRate(r.throughput)} ${c.unit ?? ''}`
        : r.gflops !== undefined
          ? `${r.gflops.toFixed(1)} GFLOP/s`
          : '—',
      speedupCell(lib, r),
      r.relDiffVsAxon === undefined ? '' : r.relDiffVsAxon.toExponential(0),
      r.relDiffSteps === undefined ? '' : r.relDiffSteps.toExponential(0),
      r.firstLoss === undefined ? '' : r.firstLoss.toFixed(4),
    ]),
  );
  return layout(header, rows);
}

/** A workload of the issue's table and the peer its target names. */
export interface Target {
  /** A prefix of the case's name. */
  caseName: string;
  label: string;
  /** The peer the target compares with (else: Axon's throughput against the best peer only). */
  versus?: LibName;
}

/** The JavaScript peers (the "best peer" is the fastest of these; PyTorch has its own column). */
const JS_PEERS: readonly LibName[] = ['tfjs-cpu', 'tfjs-wasm', 'jax-js'];

/**
 * The ratios the issue asks for: Axon's throughput, the best JavaScript peer's, Axon ÷ best peer,
 * Axon ÷ the target's peer, and Axon ÷ PyTorch (one thread); then Axon held to one thread ÷ the
 * best peer, the like-for-like comparison. A ratio above 1: Axon is faster.
 */
export function formatTargets(cases: readonly CaseResult[], targets: readonly Target[]): string {
  const header = [
    'workload',
    'axon',
    'best JS peer',
    'Axon ÷ best',
    'target',
    'Axon ÷ PyTorch (1 thread)',
    'axon-1t ÷ best',
  ];
  const rows: string[][] = [];
  const rate = (c: CaseResult, r: LibResult) =>
    r.throughput !== undefined
      ? `${fmtRate(r.throughput)} ${c.unit ?? ''}`
      : r.gflops !== undefined
        ? `${r.gflops.toFixed(1)} GFLOP/s`
        : `${fmtMs(r.medianMs)} ms`;
  for (const t of targets) {
    const c = cases.find((x) => x.name.startsWith(t.caseName));
    const axon = c?.results.axon;
    if (!c || !axon) {
      rows.push([t.label, 'skipped: no Axon result', '', '', '', '', '']);
      continue;
    }
    let best: [LibName, LibResult] | null = null;
    for (const lib of JS_PEERS) {
      const r = c.results[lib];
      if (r && (!best || r.medianMs < best[1].medianMs)) best = [lib, r];
    }
    const ratio = (r: LibResult | undefined) => (r ? `${(r.medianMs / axon.medianMs).toFixed(2)}×` : '—');
    const versus = t.versus ? c.results[t.versus] : undefined;
    rows.push([
      t.label,
      rate(c, axon),
      best ? `${best[0]} ${rate(c, best[1])}` : '—',
      best ? ratio(best[1]) : '—',
      t.versus
        ? `vs ${t.versus}: ${versus ? ratio(versus) : `— (${c.skipped[t.versus] ? 'skipped' : 'not run'})`}`
        : '—',
      c.results.torch ? ratio(c.results.torch) : `— (${c.skipped.torch ? 'skipped' : 'not run'})`,
      best && c.results['axon-1t']
        ? `${(best[1].medianMs / c.results['axon-1t'].medianMs).toFixed(2)}×`
        : '—',
    ]);
  }
  return layout(header, rows);
}
