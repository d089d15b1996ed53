import type { GpuMode } from './context';

/**
 * How much looser than the oracle's float32 tolerances each mode is allowed to be, as factors on
 * the fixture's own {rtol, atol}. The oracle's budgets assume float32 with float32-accurate
 * transcendentals; GL drivers compute exp/log/pow with a few ulps more error and sum in another
 * order. Measured with `pnpm conformance --backend gpu` in each mode (see README).
 */
export const TOLERANCE_SCALE: Record<GpuMode, { rtol: number; atol: number }> = {
  webasm: { rtol: 1, atol: 1 },
  cpu: { rtol: 1, atol: 1 },
  headlessgl: { rtol: 1, atol: 1 },
  webgl2: { rtol: 1, atol: 1 },
  webgl: { rtol: 1, atol: 1 },
};
