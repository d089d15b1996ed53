import type { LibName } from '../peers';
import type { Runner } from '../timing';

/** One benchmark: how to build a runner for each library, and how often to time it. */
export interface BenchCase {
  name: string;
  /** Floating-point operations in one run, when the figure is meaningful (for GFLOP/s). */
  flops?: number;
  reps: number;
  warmup: number;
  /** The libraries this case measures (default: all but `axon-js`, which only matters for matmul). */
  libs?: readonly LibName[];
  /**
   * For the training cases: the throughput unit and how many of it one run does (samples per
   * step, or 1 step); the runners' results are then the losses of their first steps.
   */
  unit?: { label: 'samples/s' | 'steps/s'; perRun: number };
  /** Builds the runner for `lib`, inputs included. Throwing marks that library skipped. */
  build(lib: LibName): Promise<Runner>;
}
