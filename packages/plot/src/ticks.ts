/**
 * Axis ticks: round values (steps of 1, 2, 2.5 or 5 times a power of ten) and their labels, printed
 * with as many decimals as the step needs.
 */
/** About `count` round tick values covering [lo, hi] (steps of 1, 2, 2.5 or 5 times a power of ten). */
export function niceTicks(
  lo: number,
  hi: number,
  count = 5,
  integer = false,
): { ticks: number[]; step: number } {
  if (!(hi > lo)) {
    const pad = lo === 0 ? 1 : Math.abs(lo) * 0.1;
    return niceTicks(lo - pad, hi + pad, count, integer);
  }
  const raw = (hi - lo) / Math.max(1, count);
  const mag = 10 ** Math.floor(Math.log10(raw));
  // The round step nearest to the raw one (in ratio).
  let step = mag;
  for (const m of [1, 2, 2.5, 5, 10]) {
    if (Math.abs(Math.log((mag * m) / raw)) < Math.abs(Math.log(step / raw))) step = mag * m;
  }
  if (integer) step = Math.max(1, Math.round(step));
  const first = Math.floor(lo / step + 1e-9) * step;
  const last = Math.ceil(hi / step - 1e-9) * step;
  const ticks: number[] = [];
  for (let v = first, i = 0; v <= last + step * 1e-9 && i < 1000; i++, v = first + i * step)
    ticks.push(clean(v, step));
  return { ticks, step };
}

function clean(v: number, step: number): number {
  const d = decimalsOf(step);
  return Number(v.toFixed(Math.min(20, d + 2)));
}

/** Decimals needed to print multiples of `step` exactly (up to 12). */
export function decimalsOf(step: number): number {
  for (let d = 0; d <= 12; d++) {
    const s = step * 10 ** d;
    if (Math.abs(s - Math.round(s)) < 1e-6 * Math.max(1, s)) return d;
  }
  return 12;
}

/** A tick label: fixed decimals from the step, or exponent form for very large or small ticks. */
export function formatTick(v: number, step: number): string {
  if (v === 0) return '0';
  const a = Math.abs(v);
  if (a >= 1e5 || step < 1e-4)
    return v.toExponential(Math.min(3, Math.max(0, decimalsOf(step / 10 ** Math.floor(Math.log10(a))))));
  return v.toFixed(decimalsOf(step));
}
