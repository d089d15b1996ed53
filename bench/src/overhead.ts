/**
 * Per-op overhead of Axon's cpu backend: what one tiny op costs beyond its arithmetic (argument
 * checks, dispatch through the kernel registry, scopes, buffer bookkeeping, autograd recording).
 * On 4-element tensors the arithmetic is nothing, so the time per op is all overhead. `pnpm bench`
 * prints it after its table; run alone (`tsx --conditions=source bench/src/overhead.ts`) it needs
 * nothing but the public API, so the same file measures an older checkout for a before/after.
 */
import '@axon/autograd';
import { add, mul, sum, type Tensor, tensor, tidy } from '@axon/tensor';

export interface OverheadRow {
  what: string;
  /** Microseconds per op (median of 5 rounds). */
  usPerOp: number;
}

function perOp(what: string, opsPerCall: number, calls: number, f: () => void): OverheadRow {
  for (let i = 0; i < calls / 4; i++) f();
  const rounds: number[] = [];
  for (let r = 0; r < 5; r++) {
    const t = performance.now();
    for (let i = 0; i < calls; i++) f();
    rounds.push(((performance.now() - t) * 1000) / (calls * opsPerCall));
  }
  rounds.sort((p, q) => p - q);
  return { what, usPerOp: rounds[2] };
}

export function measureOverhead(): OverheadRow[] {
  const a = tensor([1, 2, 3, 4]);
  const b = tensor([0.5, 0.5, 0.5, 0.5]);
  const w = (tensor([1, 2, 3, 4]) as Tensor & { requiresGrad_(): Tensor }).requiresGrad_();
  return [
    perOp('add, two tensors', 1, 20000, () => add(a, b).dispose()),
    perOp('mul by a number (a scalar tensor made per call)', 1, 20000, () => mul(a, 2).dispose()),
    perOp('10 chained adds in one tidy', 10, 2000, () =>
      tidy(() => {
        let x = a;
        for (let i = 0; i < 10; i++) x = add(x, b);
      }),
    ),
    perOp('recorded forward + backward, per forward op (21 ops)', 21, 1000, () =>
      tidy(() => {
        let y = w;
        for (let i = 0; i < 10; i++) y = mul(add(y, b), b);
        (sum(y) as Tensor & { backward(): void }).backward();
      }),
    ),
  ];
}

export function formatOverhead(rows: readonly OverheadRow[]): string {
  const width = Math.max(...rows.map((r) => r.what.length));
  return [
    'per-op overhead (4-element tensors: the time is all bookkeeping)',
    ...rows.map((r) => `  ${r.what.padEnd(width)}  ${r.usPerOp.toFixed(2).padStart(7)} µs`),
  ].join('\n');
}

if (import.meta.url === `file://${process.argv[1]}`) console.log(formatOverhead(measureOverhead()));
