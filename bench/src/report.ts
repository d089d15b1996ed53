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
  /** max |result − Axon's| / max |Axon's|. */
  relDiffVsAxon?: number;
}

export interface CaseResult {
  name: string;
  flops?: number;
  reps: number;
  results: Partial<Record<LibName, LibResult>>;
  /** Libraries left out of this case, with the reason. */
  skipped: Partial<Record<LibName, string>>;
}

const fmt = (x: number | undefined, digits: number) => (x === undefined ? '—' : x.toFixed(digits));
const fmtMs = (ms: number) => (ms >= 100 ? ms.toFixed(0) : ms >= 10 ? ms.toFixed(1) : ms.toFixed(2));

export function formatTable(cases: readonly CaseResult[]): string {
  const header = ['case', 'impl', 'median ms', 'GFLOP/s', 'Axon speed-up', 'rel. diff'];
  const rows: string[][] = [];
  for (const c of cases) {
    let first = true;
    const label = () => {
      const s = first ? c.name : '';
      first = false;
      return s;
    };
    for (const [lib, r] of Object.entries(c.results) as [LibName, LibResult][]) {
      const speedup =
        lib === 'axon' ? '(base)' : r.axonSpeedup === undefined ? '—' : `${r.axonSpeedup.toFixed(2)}×`;
      const diff = r.relDiffVsAxon === undefined ? '' : r.relDiffVsAxon.toExponential(0);
      rows.push([label(), lib, fmtMs(r.medianMs), fmt(r.gflops, 2), speedup, diff]);
    }
    for (const [lib, why] of Object.entries(c.skipped))
      rows.push([label(), lib, `skipped: ${why}`, '', '', '']);
  }
  const widths = header.map((h, i) =>
    Math.max(h.length, ...rows.map((r) => (r[i].startsWith('skipped') ? 0 : r[i].length))),
  );
  const line = (cells: string[]) =>
    cells
      .map((cell, i) => {
        if (cell.startsWith('skipped')) return cell; // free text runs to the end of the line
        return i <= 1 ? cell.padEnd(widths[i]) : cell.padStart(widths[i]);
      })
      .join('  ')
      .trimEnd();
  return [line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)].join('\n');
}
